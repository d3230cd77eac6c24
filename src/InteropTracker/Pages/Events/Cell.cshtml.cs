using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.EventResults;
using InteropTracker.Events;
using InteropTracker.Matrix;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages.Events;

/// <summary>
/// One cell of the event matrix: for a pair of products in one technology, a letter per planned case (P, F, N, B, or a
/// dot while untested), grouped by plan and section, as QUIC's interop runner shows a client and server's tests.
/// </summary>
[Performs(Permission.ReadEvents)]
public sealed class CellModel(Database database, PlanningCache plannings) : PageModel
{
    [FromRoute(Name = "event")] public string Key { get; set; } = "";
    [FromQuery(Name = "a")] public string? A { get; set; }
    [FromQuery(Name = "b")] public string? B { get; set; }
    [FromQuery(Name = "technology")] public string? TechnologyName { get; set; }
    [FromQuery(Name = "view")] public string? ViewName { get; set; }

    public bool Pair => string.Equals(ViewName, "pair", StringComparison.OrdinalIgnoreCase);

    public Viewer Viewer { get; private set; } = null!;
    public EventPlanning Planning { get; private set; } = null!;
    public Participant Initiator { get; private set; } = null!;
    public Participant Responder { get; private set; } = null!;
    public string Technology { get; private set; } = "";

    /// <summary>A planned case of the pair in one direction, with its current result (null while untested).</summary>
    public sealed record Letter(CaseDetails Case, Participant From, Participant To, ResultInfo? Result)
    {
        public Verdict? Verdict => Figures.Parse(Result?.Verdict);

        public string Glyph => Verdict switch
        {
            Core.Verdict.Pass => "P",
            Core.Verdict.Fail => "F",
            Core.Verdict.Na => "N",
            Core.Verdict.Blocked => "B",
            _ => "·",
        };
    }

    public IReadOnlyList<Letter> Letters { get; private set; } = [];
    public Tally Tally { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        Viewer = (await Viewer.OfAsync(HttpContext))!;
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        var planning = (await EventGate.OpenAsync(connection, plannings, Key, Viewer.Caller, EventNeed.Read)).Value;
        if (planning is null) return NotFound();
        Planning = planning;
        if (A is null || B is null || planning.FindParticipant(A) is not { } a || planning.FindParticipant(B) is not { } b || a.Id == b.Id)
            return NotFound();
        var technology = planning.Cases.Select(c => c.Technology)
            .FirstOrDefault(t => string.Equals(t, TechnologyName, StringComparison.OrdinalIgnoreCase));
        if (technology is null) return NotFound();
        (Initiator, Responder, Technology) = (a, b, technology);

        var results = new Dictionary<(long Case, string Initiator, string Responder), ResultInfo>();
        foreach (var (from, to) in Pair ? new[] { (a, b), (b, a) } : [(a, b)])
        {
            var page = await ResultStore.ListAsync(connection, planning.Event.Id,
                new ResultFilter(null, from.Key, to.Key, null, null, null, null), 1, planning.Cases.Count + 1);
            foreach (var r in page.Items)
                if (planning.FindCase(r.Plan, r.Case) is { } planned)
                    results[(planned.Id, r.Initiator, r.Responder)] = r;
        }

        // The ordered matrix counts a cell where it is stored: a non-directional case under its smaller key first.
        Letters = Core.Planning.Cells(new Scope(technology).Apply(planning.Cases), [a, b], planning.Event.IncludeSameOrganization)
            .Where(cell => Pair || cell.Initiator.Id == a.Id)
            .Select(cell => new Letter(planning.Details(cell.Case.Id), planning.Participant(cell.Initiator.Id),
                planning.Participant(cell.Responder.Id), results.GetValueOrDefault((cell.Case.Id, cell.Initiator.Key, cell.Responder.Key))))
            .OrderBy(l => l.From.Id == a.Id ? 0 : 1)
            .ThenBy(l => l.Case.Case.Plan, StringComparer.Ordinal)
            .ThenBy(l => l.Case.Ordinal)
            .ToList();
        Tally = Letters.Aggregate(new Tally(Letters.Count, 0, 0, 0, 0), (t, l) => l.Verdict is { } v ? t.With(v) : t);
        return Page();
    }

    public string Name(Participant p) => $"{p.Name} {p.Version}".Trim();

    public bool MayLog => Planning.Event.IsOpen && Viewer.MayLog(Initiator.OrganizationId, Responder.OrganizationId);

    public string EventUrl => $"/events/{Uri.EscapeDataString(Key)}";

    public string PairingUrl => $"{EventUrl}/pairing?a={Uri.EscapeDataString(Initiator.Key)}&b={Uri.EscapeDataString(Responder.Key)}" +
                                $"&technology={Uri.EscapeDataString(Technology)}" + (Pair ? "&view=pair" : "");

    public static string Describe(Letter l) =>
        $"{l.Case.Case.Key} {l.Case.Title}: {Figures.Word(l.Verdict)}" +
        (l.Result is { } r ? $" ({r.Status}{(r.RecordedBy is { } by ? $", by {by}" : "")})" : "");
}
