using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Engine;
using InteropTracker.Events;
using InteropTracker.History;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages.History;

/// <summary>A product line across events, as GET /api/history/lines/{line} answers it, with its rate drawn as a chart.</summary>
[Performs(Permission.ReadHistory)]
public sealed class LineModel(Database database, PlanningCache plannings, IResultEngine engine) : PageModel
{
    [FromRoute] public string Line { get; set; } = "";

    public LineRecord Record { get; private set; } = null!;

    public async Task<IActionResult> OnGetAsync()
    {
        var viewer = (await Viewer.OfAsync(HttpContext))!;
        var outcome = await LineHistory.ReadAsync(database, plannings, engine, viewer.Caller, Line, HttpContext.RequestAborted);
        if (outcome.Refusal is not null) return NotFound();
        Record = outcome.Value!;
        return Page();
    }

    public static string PairingUrl(EventPlanning planning, PeerMeeting meeting) =>
        $"/events/{Uri.EscapeDataString(planning.Event.Key)}/pairing?a={Uri.EscapeDataString(meeting.Product.Key)}" +
        $"&b={Uri.EscapeDataString(meeting.Peer.Key)}&view=pair";

    /// <summary>A tally as the tables show it: the rate, then pass of executed.</summary>
    public static string Show(Tally tally) =>
        tally.Executed == 0 ? "nothing executed" : $"{Figures.Percent(tally.Rate)} ({tally.Pass}/{tally.Executed})";
}
