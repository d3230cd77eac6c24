using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Matrix;
using InteropTracker.Storage;
using InteropTracker.EventResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages.Events;

/// <summary>The results behind one matrix cell: every planned case of the cell, its current verdict and its whole history.</summary>
[Performs(Permission.ReadEvents)]
public sealed class PairingModel(Database database, PlanningCache plannings) : PageModel
{
    [FromRoute(Name = "event")] public string Key { get; set; } = "";
    [FromQuery] public string A { get; set; } = "";
    [FromQuery] public string B { get; set; } = "";
    [FromQuery] public string? Technology { get; set; }

    /// <summary>pair: both directions (the pair view's cell); otherwise only A as initiator (the ordered view's cell).</summary>
    [FromQuery] public string? View { get; set; }

    public bool BothDirections => string.Equals(View, "pair", StringComparison.OrdinalIgnoreCase);

    public Viewer Viewer { get; private set; } = null!;
    public EventPlanning Planning { get; private set; } = null!;
    public Participant First { get; private set; } = null!;
    public Participant Second { get; private set; } = null!;
    public IReadOnlyList<(SheetRow Row, IReadOnlyList<RevisionInfo> History)> Rows { get; private set; } = [];

    /// <summary>Whether the viewer may log this pairing: the link to results entry shows only then.</summary>
    public bool MayLog { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        Viewer = (await Viewer.OfAsync(HttpContext))!;
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        var planning = (await EventGate.OpenAsync(connection, plannings, Key, Viewer.Caller, EventNeed.Read)).Value;
        if (planning is null) return NotFound();
        if (planning.FindParticipant(A) is not { } first || planning.FindParticipant(B) is not { } second || first.Id == second.Id)
            return NotFound();
        (Planning, First, Second) = (planning, first, second);
        MayLog = planning.Event.IsOpen && Viewer.MayLog(first.OrganizationId, second.OrganizationId);

        var results = await PairingSheet.ResultsOfAsync(connection, planning, first);
        var rows = new List<(SheetRow, IReadOnlyList<RevisionInfo>)>();
        foreach (var row in PairingSheet.Rows(planning, first, second, Technology, forward: !BothDirections, results))
            rows.Add((row, row.Result is { } result ? await ResultStore.HistoryAsync(connection, result.Id) : []));
        Rows = rows;
        return Page();
    }

    /// <summary>The results-entry page for this pairing, from the side of the viewer's own product.</summary>
    public string EntryLink()
    {
        var caller = Viewer.Caller;
        var (mine, other) = caller.IsEngineer && Second.OrganizationId == caller.OrganizationId && First.OrganizationId != caller.OrganizationId
            ? (Second, First) : (First, Second);
        return $"/events/{Uri.EscapeDataString(Key)}/results?product={Uri.EscapeDataString(mine.Key)}&peer={Uri.EscapeDataString(other.Key)}";
    }
}
