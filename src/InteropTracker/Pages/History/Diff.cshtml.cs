using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Engine;
using InteropTracker.Events;
using InteropTracker.History;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages.History;

/// <summary>What changed from one event to another, as GET /api/history/diff answers it, with links to both events' pairings.</summary>
[Performs(Permission.ReadHistory)]
public sealed class DiffModel(Database database, PlanningCache plannings, IResultEngine engine) : PageModel
{
    /// <summary>How many cells each list of the page shows; the API gives up to <see cref="EventDiff.MaxLimit"/>.</summary>
    public const int Shown = 100;

    [FromQuery] public string? From { get; set; }
    [FromQuery] public string? To { get; set; }
    [FromQuery] public string? Technology { get; set; }
    [FromQuery] public string? Line { get; set; }
    [FromQuery] public string? Organization { get; set; }

    public Viewer Viewer { get; private set; } = null!;

    /// <summary>The events the viewer can compare, newest first.</summary>
    public IReadOnlyList<EventInfo> Events { get; private set; } = [];

    public EventsDiff? Diff { get; private set; }
    public string? Refused { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        Viewer = (await Viewer.OfAsync(HttpContext))!;
        await using (var connection = await database.OpenAsync(HttpContext.RequestAborted))
            Events = await EventStore.ListAsync(connection, Viewer.Caller);
        // With no choice made, the latest event against the one before it (or before the chosen later one).
        To ??= Events.FirstOrDefault(e => e.Key != From)?.Key;
        From ??= Events.SkipWhile(e => e.Key != To).Skip(1).FirstOrDefault()?.Key;
        if (From is null || To is null) return Page();

        var outcome = await EventDiff.CompareAsync(database, plannings, engine, Viewer.Caller, From, To,
            new DiffFilter(Blank(Technology), Blank(Line), Blank(Organization)), Shown, HttpContext.RequestAborted);
        if (outcome.Refusal is { } refusal)
        {
            Refused = string.Join(" ", refusal.Messages());
            Response.StatusCode = refusal.Status();
        }
        Diff = outcome.Value;
        return Page();
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>The pairing page of the cell's result in one event, scrolled to the cell.</summary>
    public static string PairingUrl(EventPlanning planning, CaseDetails? details, DiffSide side)
    {
        var (a, b) = details is null ? (side.Initiator, side.Responder) : Planning.Stored(details.Case, side.Initiator, side.Responder);
        var anchor = details is null ? "" : $"#cell-{details.Case.Id}-{a.Id}-{b.Id}";
        return $"/events/{Uri.EscapeDataString(planning.Event.Key)}/pairing?a={Uri.EscapeDataString(a.Key)}&b={Uri.EscapeDataString(b.Key)}{anchor}";
    }

    public static string LineUrl(string line) => $"/history/lines/{Uri.EscapeDataString(line)}";

    public static (string Icon, string Heading, string Explanation) Describe(CellChange change) => change switch
    {
        CellChange.Regressed => ("↓", "Regressed", "passed at the earlier event, failed at the later one"),
        CellChange.Fixed => ("↑", "Fixed", "failed at the earlier event, passed at the later one"),
        CellChange.New => ("+", "New", "a result at the later event only"),
        CellChange.Dropped => ("−", "Dropped", "a result at the earlier event only"),
        CellChange.Stayed => ("=", "Stayed", "the same verdict at both"),
        _ => ("~", "Otherwise changed", "to or from n/a or blocked"),
    };
}
