using InteropTracker.Access;
using InteropTracker.Engine;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Matrix;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages.Events;

/// <summary>
/// One event: progress per technology and the heat-map matrix of each, computed by <see cref="EventNumbers"/> exactly as
/// the API's /matrix and /summary and the reports compute them. While the event is open the live part refreshes itself.
/// </summary>
[Performs(Permission.ReadEvents)]
public sealed class EventModel(Database database, PlanningCache plannings, IResultEngine engine) : PageModel
{
    [FromRoute(Name = "event")] public string Key { get; set; } = "";

    /// <summary>ordered (rows initiate, columns respond) or pair ((a, b) and (b, a) in one cell).</summary>
    [FromQuery(Name = "view")] public string? ViewName { get; set; }

    public MatrixView View => string.Equals(ViewName, "pair", StringComparison.OrdinalIgnoreCase) ? MatrixView.Pair : MatrixView.Ordered;

    public Viewer Viewer { get; private set; } = null!;
    public EventPlanning Planning { get; private set; } = null!;
    public EventSummary Summary { get; private set; } = null!;
    public IReadOnlyList<(ScopeTotals Totals, MatrixTable Matrix)> Technologies { get; private set; } = [];

    /// <summary>The cases ranked worst first, as GET /test-case-stats ranks them: what goes back to the plan's authors.</summary>
    public IReadOnlyList<MatrixApi.CaseStatDto> WorstCases { get; private set; } = [];

    /// <summary>How many of the worst cases the page lists; the reports and the API have them all.</summary>
    public const int WorstShown = 10;

    /// <summary>The viewer's own products in this event (an engineer's organization's; every one for an admin).</summary>
    public IReadOnlyList<Participant> OwnProducts { get; private set; } = [];

    public string Link(string? view = null, string? handler = null)
    {
        var query = new List<string>();
        if (handler is not null) query.Add($"handler={handler}");
        if ((view ?? (View == MatrixView.Pair ? "pair" : null)) is { } v && v != "ordered") query.Add($"view={v}");
        return $"/events/{Uri.EscapeDataString(Key)}" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
    }

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFound();

    /// <summary>The live part alone, for the page script's refresh.</summary>
    public async Task<IActionResult> OnGetLiveAsync() => await LoadAsync() ? Partial("_EventLive", this) : NotFound();

    private async Task<bool> LoadAsync()
    {
        Viewer = (await Viewer.OfAsync(HttpContext))!;
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        // The same read as GET /matrix and /summary: visibility, the cached planning, then the numbers.
        var planning = (await EventGate.OpenAsync(connection, plannings, Key, Viewer.Caller, EventNeed.Read)).Value;
        if (planning is null) return false;
        Planning = planning;

        var source = planning.ToNumbersSource();
        var tallies = engine.Tallies();
        Summary = await EventNumbers.SummaryAsync(tallies, source);
        var technologies = new List<(ScopeTotals, MatrixTable)>();
        foreach (var totals in Summary.Technologies)
            technologies.Add((totals, await EventNumbers.MatrixAsync(tallies, source, new Scope(Technology: totals.Technology), View)));
        Technologies = technologies;
        var ranked = await EventNumbers.CaseStatisticsAsync(tallies, source, Scope.Event);
        WorstCases = MatrixApi.CaseStatistics(planning, ranked).Where(c => c.Tally.Executed > 0).Take(WorstShown).ToList();
        OwnProducts = planning.Participants
            .Where(p => Viewer.Caller.IsAdmin || (Viewer.Caller.IsEngineer && p.OrganizationId == Viewer.Caller.OrganizationId))
            .ToList();
        return true;
    }

    public string ProductName(long id) => Planning.Participant(id) is var p ? $"{p.Name} {p.Version} ({p.OrganizationName})" : "";

    public string PairingUrl(long initiator, long responder, string technology) =>
        $"/events/{Uri.EscapeDataString(Key)}/pairing?a={Uri.EscapeDataString(Planning.Participant(initiator).Key)}" +
        $"&b={Uri.EscapeDataString(Planning.Participant(responder).Key)}&technology={Uri.EscapeDataString(technology)}" +
        (View == MatrixView.Pair ? "&view=pair" : "");
}
