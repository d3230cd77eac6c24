using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Pages.Events;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages.Pairings;

/// <summary>One pairing of the viewer's product with a peer in an open event, with what is left to log.</summary>
public sealed record MyPairing(Participant Product, PeerProgress Progress)
{
    public Participant Peer => Progress.Peer;
}

/// <summary>The pairings an open event plans for the viewer's products, the most mandatory work left first.</summary>
public sealed record MyEvent(EventRow Event, IReadOnlyList<MyPairing> Pairings)
{
    public long Untested => Pairings.Sum(p => p.Progress.Untested);
}

/// <summary>
/// An engineer's landing page: every product of its organization × every peer, in each open event it takes part in,
/// ordered by untested planned cells (mandatory first); one click opens the pairing ready to log.
/// </summary>
[Performs(Permission.ReadEvents)]
public sealed class MineModel(Database database, PlanningCache plannings) : PageModel
{
    public Viewer Viewer { get; private set; } = null!;
    public IReadOnlyList<MyEvent> Events { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        Viewer = (await Viewer.OfAsync(HttpContext))!;
        if (Viewer.Caller.OrganizationId is not { } organization) return Page();

        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        var events = new List<MyEvent>();
        foreach (var info in await EventStore.ListAsync(connection, Viewer.Caller))
        {
            if (info.Status != EventStatus.Open) continue;
            if ((await EventGate.OpenAsync(connection, plannings, info.Key, Viewer.Caller, EventNeed.Read)).Value is not { } planning) continue;
            var pairings = new List<MyPairing>();
            foreach (var product in planning.Participants.Where(p => p.OrganizationId == organization))
            {
                var results = await PairingSheet.ResultsOfAsync(connection, planning, product);
                pairings.AddRange(PairingSheet.Peers(planning, product, results).Select(peer => new MyPairing(product, peer)));
            }
            events.Add(new MyEvent(planning.Event, pairings
                .OrderByDescending(p => p.Progress.MandatoryUntested)
                .ThenByDescending(p => p.Progress.Untested)
                .ThenBy(p => p.Product.Name, StringComparer.OrdinalIgnoreCase)
                .ThenBy(p => p.Peer.Name, StringComparer.OrdinalIgnoreCase)
                .ToList()));
        }
        Events = events;
        return Page();
    }

    public static string Link(EventRow e, MyPairing pairing) =>
        $"/events/{Uri.EscapeDataString(e.Key)}/results?product={Uri.EscapeDataString(pairing.Product.Key)}" +
        $"&peer={Uri.EscapeDataString(pairing.Peer.Key)}" + (pairing.Progress.Untested > 0 ? "&untested=true" : "");
}
