using InteropTracker.Access;
using InteropTracker.Engine;
using InteropTracker.Core;
using InteropTracker.EventResults;
using InteropTracker.Events;
using InteropTracker.Matrix;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages.Events;

/// <summary>
/// One event: progress per technology and the matrix of one technology at a time (narrowed by plan, section or case),
/// computed by <see cref="EventNumbers"/> exactly as the API's /matrix and /summary and the reports compute them. The
/// matrix travels as compact JSON (<see cref="MatrixGrid"/>) that the page script draws, one element per cell; while the
/// event is open the script asks every few seconds for the cells that changed since the version it holds.
/// </summary>
[Performs(Permission.ReadEvents)]
public sealed class EventModel(Database database, PlanningCache plannings, IResultEngine engine) : PageModel
{
    [FromRoute(Name = "event")] public string Key { get; set; } = "";

    /// <summary>ordered (rows initiate, columns respond) or pair ((a, b) and (b, a) in one cell).</summary>
    [FromQuery(Name = "view")] public string? ViewName { get; set; }

    [FromQuery(Name = "technology")] public string? TechnologyName { get; set; }
    [FromQuery(Name = "plan")] public string? PlanKey { get; set; }
    [FromQuery(Name = "section")] public string? SectionKey { get; set; }
    [FromQuery(Name = "case")] public string? CaseKey { get; set; }

    /// <summary>Products, cases or words to look for; the page script narrows the matrix and the lists to them.</summary>
    [FromQuery(Name = "q")] public string? Search { get; set; }

    public MatrixView View => string.Equals(ViewName, "pair", StringComparison.OrdinalIgnoreCase) ? MatrixView.Pair : MatrixView.Ordered;

    public Viewer Viewer { get; private set; } = null!;
    public EventPlanning Planning { get; private set; } = null!;
    public EventSummary Summary { get; private set; } = null!;

    /// <summary>The technology whose matrix is shown; null when no plan is pinned.</summary>
    public ScopeTotals? Technology { get; private set; }

    /// <summary>The scope the matrix and the lists cover: the technology, narrowed by the filters that match a case of it.</summary>
    public Scope Scope { get; private set; } = Scope.Event;

    /// <summary>The matrix of <see cref="Scope"/> as the page script reads it.</summary>
    public string GridJson { get; private set; } = "";

    /// <summary>The cases ranked worst first, as GET /test-case-stats ranks them: what goes back to the plan's authors.</summary>
    public IReadOnlyList<MatrixApi.CaseStatDto> WorstCases { get; private set; } = [];

    /// <summary>How many of the worst cases the page lists; the reports and the API have them all.</summary>
    public const int WorstShown = 10;

    /// <summary>How many failed, and how many disputed, results the list shows; the API and the workbook have them all.</summary>
    public const int ProblemsShown = 50;

    public ResultPage? Failed { get; private set; }
    public ResultPage? Disputed { get; private set; }

    /// <summary>How many failed and disputed results the listed scope has, from the tallies (the lists read only their first rows).</summary>
    public (long Failed, long Disputed) ProblemCounts => Scope.Plan is { } plan
        ? Summary.Plans.Where(p => p.Plan == plan).Select(p => (p.Tally.Fail, p.Statuses.Disputed)).FirstOrDefault()
        : (Summary.Total.Fail, Summary.Statuses.Disputed);

    /// <summary>The viewer's own products in this event (an engineer's organization's; every one for an admin).</summary>
    public IReadOnlyList<Participant> OwnProducts { get; private set; } = [];

    /// <summary>This page with the given query values changed (null removes one); the rest as they are.</summary>
    public string Link(string? handler = null, string? view = null, string? technology = null)
    {
        var query = new List<string>();
        void Add(string name, string? value)
        {
            if (!string.IsNullOrEmpty(value)) query.Add($"{name}={Uri.EscapeDataString(value)}");
        }
        Add("handler", handler);
        Add("technology", technology ?? Technology?.Technology);
        if (technology is null) // another technology's cases are others: its filters start afresh
        {
            Add("plan", Scope.Plan);
            Add("section", Scope.Section);
            Add("case", Scope.Case);
        }
        var v = view ?? (View == MatrixView.Pair ? "pair" : null);
        if (v is not null && v != "ordered") Add("view", v);
        return $"/events/{Uri.EscapeDataString(Key)}" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
    }

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await LoadAsync()) return NotFound();
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        var ranked = await EventNumbers.CaseStatisticsAsync(engine.Tallies(), Planning.ToNumbersSource(), Scope.Event);
        WorstCases = MatrixApi.CaseStatistics(Planning, ranked).Where(c => c.Tally.Executed > 0).Take(WorstShown).ToList();
        GridJson = await GridAsync(since: null, stamp: null) ?? "";
        return Page();
    }

    /// <summary>The progress figures alone, for the page script's refresh after the results moved.</summary>
    public async Task<IActionResult> OnGetLiveAsync() => await LoadAsync() ? Partial("_EventLive", this) : NotFound();

    /// <summary>
    /// The matrix of the scope as JSON; given the version (and planning stamp) the page holds, only the cells changed since,
    /// or 204 when nothing changed: what the page asks every few seconds while the event is open.
    /// </summary>
    public async Task<IActionResult> OnGetGridAsync(long? since, string? stamp)
    {
        if (!await LoadAsync()) return NotFound();
        if (await GridAsync(since, stamp) is not { } json) return new NoContentResult();
        Response.Headers.CacheControl = "no-store";
        return Content(json, "application/json");
    }

    /// <summary>The failed and the disputed results of the scope, first logged first: loaded by the page after the matrix.</summary>
    public async Task<IActionResult> OnGetProblemsAsync()
    {
        if (!await LoadAsync()) return NotFound();
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        var (plan, caseKey) = (Scope.Plan, Scope.Case);
        var (failed, disputed) = ProblemCounts;
        var none = new ResultPage(0, 1, ProblemsShown, []);
        // A list whose count (from the tallies) is nought is not looked for: finding none would read every result.
        Failed = failed == 0 ? none : await ResultStore.ListAsync(connection, Planning.Event.Id,
            new ResultFilter(null, null, null, plan, caseKey, "fail", null), 1, ProblemsShown, newestFirst: true);
        Disputed = disputed == 0 ? none : await ResultStore.ListAsync(connection, Planning.Event.Id,
            new ResultFilter(null, null, null, plan, caseKey, null, "disputed"), 1, ProblemsShown, newestFirst: true);
        return Partial("_EventProblems", this);
    }

    private async Task<bool> LoadAsync()
    {
        Viewer = (await Viewer.OfAsync(HttpContext))!;
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        // The same read as GET /matrix and /summary: visibility, the cached planning, then the numbers.
        var planning = (await EventGate.OpenAsync(connection, plannings, Key, Viewer.Caller, EventNeed.Read)).Value;
        if (planning is null) return false;
        Planning = planning;
        Summary = await EventNumbers.SummaryAsync(engine.Tallies(), planning.ToNumbersSource());
        Technology = Summary.Technologies.FirstOrDefault(t => string.Equals(t.Technology, TechnologyName, StringComparison.OrdinalIgnoreCase))
                     ?? Summary.Technologies.FirstOrDefault();
        Scope = NarrowedScope();
        OwnProducts = planning.Participants
            .Where(p => Viewer.Caller.IsAdmin || (Viewer.Caller.IsEngineer && p.OrganizationId == Viewer.Caller.OrganizationId))
            .ToList();
        return true;
    }

    /// <summary>The technology's scope narrowed by each filter that still matches a case (a stale one is dropped, not an error).</summary>
    private Scope NarrowedScope()
    {
        if (Technology is null) return Scope.Event;
        var scope = new Scope(Technology.Technology);
        if (PlanKey is not null && (scope with { Plan = PlanKey }).Apply(Planning.Cases).Any()) scope = scope with { Plan = PlanKey };
        if (SectionKey is not null && (scope with { Section = SectionKey }).Apply(Planning.Cases).Any()) scope = scope with { Section = SectionKey };
        if (CaseKey is not null && (scope with { Case = CaseKey }).Apply(Planning.Cases).Any()) scope = scope with { Case = CaseKey };
        return scope;
    }

    /// <summary>The grid's JSON, or null when the page already holds this version of it.</summary>
    private async Task<string?> GridAsync(long? since, string? stamp)
    {
        if (Technology is null) return null;
        var version = await engine.ResultsVersionAsync(HttpContext.RequestAborted);
        var planningStamp = Planning.Event.UpdatedAt;
        var samePlanning = stamp == planningStamp;
        if (since == version && samePlanning) return null;
        // The cells of each version sent are kept: a page that asks again is answered from them, and one that holds an
        // older version is sent only what changed since.
        var source = Planning.ToNumbersSource();
        var history = MatrixHistory.Of(source, (Scope, View));
        var cells = history.At(version);
        IReadOnlyList<Participant> products;
        if (cells is null)
        {
            var table = await EventNumbers.MatrixAsync(engine.Tallies(), source, Scope, View);
            (cells, products) = (MatrixGrid.Flatten(table), table.Products);
            history.Keep(version, cells);
        }
        else
        {
            products = NumbersMemo.Of(source).Planned(Scope, Scope.Apply(source.Cases)).Products;
        }
        var labels = products.Select(p =>
        {
            var details = Planning.Participant(p.Id);
            return new MatrixGrid.Label(p.Key, $"{details.Name} {details.Version}".Trim(), details.OrganizationName);
        }).ToList();
        var previous = samePlanning && since is { } v ? history.At(v) : null;
        return MatrixGrid.Json(Technology.Technology, View, planningStamp, version, labels, cells, anonymised: false, previous);
    }

    /// <summary>The plans of the shown technology, for the filter.</summary>
    public IEnumerable<PinnedPlan> PlansShown => Technology is null ? []
        : Planning.Plans.Where(p => string.Equals(p.Technology, Technology.Technology, StringComparison.OrdinalIgnoreCase));

    /// <summary>The sections of the chosen plan (or of the technology), with their titles, for the filter.</summary>
    public IEnumerable<(string Plan, string Section, string Title)> SectionsShown => new Scope(Technology?.Technology, Scope.Plan)
        .Apply(Planning.Cases)
        .Select(c => (c.Plan, c.Section, Planning.Details(c.Id).SectionTitle))
        .Distinct();

    /// <summary>The cases of the chosen section (or plan), for the filter.</summary>
    public IEnumerable<CaseDetails> CasesShown => Technology is null ? []
        : new Scope(Technology.Technology, Scope.Plan, Scope.Section).Apply(Planning.Cases).Select(c => Planning.Details(c.Id));

    public string CellUrl => $"/events/{Uri.EscapeDataString(Key)}/cell";
}
