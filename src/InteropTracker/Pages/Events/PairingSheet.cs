using InteropTracker.Core;
using InteropTracker.Matrix;
using InteropTracker.EventResults;
using InteropTracker.TestPlans;
using System.Data.Common;

namespace InteropTracker.Pages.Events;

/// <summary>One planned cell between two products, in stored order, with its current result (null while untested).</summary>
public sealed record SheetRow(CaseDetails Case, Participant Initiator, Participant Responder, ResultInfo? Result)
{
    public Verdict? Verdict => Figures.Parse(Result?.Verdict);

    /// <summary>A stable element id for the cell: scroll target after a post, and what the page script swaps.</summary>
    public string Anchor => $"cell-{Case.Case.Id}-{Initiator.Id}-{Responder.Id}";

    public string Direction => Case.Case.Directional ? $"{Initiator.Key} → {Responder.Key}" : $"{Initiator.Key} ⇄ {Responder.Key}";
}

/// <summary>How far a product has got with one peer: planned cells between them, how many have a verdict, and the mandatory ones still untested.</summary>
public sealed record PeerProgress(Participant Peer, long Planned, long Logged, long MandatoryUntested)
{
    public long Untested => Planned - Logged;

    /// <summary>What a list of peers shows for this one: its name, organization and what is left.</summary>
    public string Label => $"{Peer.Name} {Peer.Version} · {Peer.OrganizationName} — {Untested} of {Planned} untested" +
                           (MandatoryUntested > 0 ? $" ({MandatoryUntested} mandatory)" : "");
}

/// <summary>
/// The planned cells between two participants (both directions; a non-directional case once, in its stored order), as
/// <see cref="Planning.Cells"/> decides them, with the current results read through <see cref="ResultStore"/>.
/// </summary>
public static class PairingSheet
{
    /// <summary>More results than one product can have in an event (cases × peers × 2).</summary>
    private const int AllResults = 1_000_000;

    private static IEnumerable<PlannedCase> Cases(EventPlanning planning, string? technology) =>
        technology is null ? planning.Cases : new Scope(Technology: technology).Apply(planning.Cases);

    /// <summary>Every current result the product takes part in, by (case, initiator, responder).</summary>
    public static async Task<IReadOnlyDictionary<(long Case, string Initiator, string Responder), ResultInfo>> ResultsOfAsync(
        DbConnection connection, EventPlanning planning, Participant product)
    {
        var page = await ResultStore.ListAsync(connection, planning.Event.Id,
            new ResultFilter(product.Key, null, null, null, null, null, null), 1, AllResults);
        var byKey = new Dictionary<(long, string, string), ResultInfo>();
        foreach (var result in page.Items)
            if (planning.FindCase(result.Plan, result.Case) is { } planned)
                byKey[(planned.Id, result.Initiator, result.Responder)] = result;
        return byKey;
    }

    /// <param name="forward">Only the cells with <paramref name="a"/> as (stored) initiator: one cell of the ordered matrix.</param>
    public static IReadOnlyList<SheetRow> Rows(EventPlanning planning, Participant a, Participant b, string? technology,
        bool forward, IReadOnlyDictionary<(long Case, string Initiator, string Responder), ResultInfo> results) =>
        Planning.Cells(Cases(planning, technology), [a, b], planning.Event.IncludeSameOrganization)
            .Where(cell => !forward || cell.Initiator.Id == a.Id)
            .Select(cell => new SheetRow(planning.Details(cell.Case.Id), planning.Participant(cell.Initiator.Id),
                planning.Participant(cell.Responder.Id), results.GetValueOrDefault((cell.Case.Id, cell.Initiator.Key, cell.Responder.Key))))
            .OrderBy(r => r.Case.Case.Plan, StringComparer.Ordinal)
            .ThenBy(r => r.Case.Ordinal)
            .ThenBy(r => r.Initiator.Id == a.Id ? 0 : 1)
            .ToList();

    /// <summary>
    /// For each other participant, the cells planned with the product and how many have a verdict: the peers with the
    /// most mandatory cells untested first, then the most untested, so the work that matters most is on top.
    /// </summary>
    public static IReadOnlyList<PeerProgress> Peers(EventPlanning planning, Participant product,
        IReadOnlyDictionary<(long Case, string Initiator, string Responder), ResultInfo> results) =>
        planning.Participants
            .Where(p => p.Id != product.Id)
            .Select(peer =>
            {
                var cells = Planning.Cells(planning.Cases, [product, peer], planning.Event.IncludeSameOrganization).ToList();
                var untested = cells.Where(c => !results.ContainsKey((c.Case.Id, c.Initiator.Key, c.Responder.Key))).ToList();
                var mandatory = untested.Count(c => planning.Details(c.Case.Id).Priority == Priorities.Mandatory);
                return new PeerProgress(peer, cells.Count, cells.Count - untested.Count, mandatory);
            })
            .Where(p => p.Planned > 0)
            .OrderByDescending(p => p.MandatoryUntested)
            .ThenByDescending(p => p.Untested)
            .ThenBy(p => p.Peer.Name, StringComparer.OrdinalIgnoreCase)
            .ToList();

    /// <summary>The content of every pinned case (purpose, steps, expected results, references), by plan and case key.</summary>
    public static async Task<IReadOnlyDictionary<(string Plan, string Case), TestCase>> ContentsAsync(DbConnection connection,
        EventPlanning planning)
    {
        var contents = new Dictionary<(string, string), TestCase>();
        foreach (var pinned in planning.Plans)
        {
            if (await TestPlanStore.FindDocumentAsync(connection, pinned.Plan, pinned.Version) is not { } row) continue;
            foreach (var c in TestPlanDocument.FromCanonicalJson(row.Document).Cases) contents[(pinned.Plan, c.Id)] = c;
        }
        return contents;
    }

    /// <summary>Where the test-plan page shows a case of the version the event pins.</summary>
    public static string CaseLink(CaseDetails details) =>
        $"/test-plans/{Uri.EscapeDataString(details.Case.Plan)}?version={Uri.EscapeDataString(details.PlanVersion)}#case-{Uri.EscapeDataString(details.Case.Key)}";
}
