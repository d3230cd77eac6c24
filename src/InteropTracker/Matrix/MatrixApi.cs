using InteropTracker.Access;
using InteropTracker.Engine;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Storage;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;

namespace InteropTracker.Matrix;

/// <summary>The numbers everyone watches: the matrix, the summary and the per-case ranking of an event.</summary>
public static class MatrixApi
{
    /// <summary>A product as a matrix names it: by key, product name and organization; or by anonymised label only.</summary>
    public sealed record ProductLabel(string Id, string Label, string Organization);

    public sealed record CellDto(string Initiator, string Responder, TallyDto Tally);

    public sealed record LineDto(string Product, TallyDto Tally);

    public sealed record ScopeDto(string? Technology, string? Plan, string? Section, string? Case);

    public sealed record MatrixDto(string Event, ScopeDto Scope, string View, bool Anonymized,
        IReadOnlyList<ProductLabel> Products, IReadOnlyList<CellDto> Cells, IReadOnlyList<LineDto> Rows,
        IReadOnlyList<LineDto> Columns, TallyDto Total);

    public sealed record StatusDto(long Reported, long Confirmed, long Disputed);

    public sealed record TechnologyDto(string Technology, TallyDto Tally, StatusDto Statuses);

    public sealed record PlanTotalsDto(string Technology, string Plan, string Version, string Title, TallyDto Tally,
        StatusDto Statuses);

    public sealed record SummaryDto(string Event, string Name, string Location, string StartDate, string EndDate,
        string Status, bool Published, int Participants, TallyDto Total, StatusDto Statuses,
        IReadOnlyList<TechnologyDto> Technologies, IReadOnlyList<PlanTotalsDto> Plans)
    {
        /// <summary>The attr.&lt;name&gt;=&lt;value&gt; filters the figures were counted under, if any.</summary>
        public IReadOnlyDictionary<string, string> Filters { get; init; } = new Dictionary<string, string>();

        /// <summary>Each attribute value's share of the executed results, per technology (plan null) and per plan.</summary>
        public IReadOnlyList<AttributeShare> AttributeShares { get; init; } = [];
    }

    public sealed record CaseStatDto(int Rank, string Technology, string Plan, string Version, string Section, string Case,
        string Title, string Priority, bool Directional, TallyDto Tally, long PassingPairs, bool TwoPassingPairs);

    public static IEndpointRouteBuilder MapMatrix(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/events/{event}").WithTags("Numbers").Performs(Permission.ReadEvents);
        group.MapGet("/matrix", GetMatrix).WithName("GetMatrix")
            .WithSummary("The interop matrix of a scope: initiators as rows, responders as columns (view=pair sums both directions); " +
                         "attr.<name>=<value> counts only the results with that attribute value.");
        group.MapGet("/summary", GetSummary).WithName("GetSummary")
            .WithSummary("Totals for the event, per technology and per plan, with confirmed / disputed / reported counts and the " +
                         "share of each result attribute value among executed results; attr.<name>=<value> filters.");
        group.MapGet("/test-case-stats", GetCaseStatistics).WithName("GetTestCaseStatistics")
            .WithSummary("Per-case figures ranked worst first, with the distinct passing pairs of each case; attr.<name>=<value> filters.");
        return app;
    }

    private static async Task<Results<Ok<MatrixDto>, JsonBytes, ProblemHttpResult, ValidationProblem>> GetMatrix(
        string @event, string? technology, string? plan, string? section, string? @case, string? view, bool? anonymize,
        HttpContext context, Database database, PlanningCache plannings, IResultEngine engine)
    {
        if (ParseView(view) is not { } matrixView)
            return Problems.Invalid("view", $"'{view}' is not a view; use 'ordered' or 'pair'.");

        await using var connection = await database.OpenAsync(context.RequestAborted);
        var gate = await EventGate.OpenAsync(connection, plannings, @event, context.Caller(), EventNeed.Read);
        if (gate.Refusal is { } refusal) return Problems.Of(refusal);
        var planning = gate.Value!;

        var scope = new Scope(technology, plan, section, @case);
        if (ScopeProblem(planning, scope) is { } problem) return problem;
        if (anonymize == true && AnonymisedScopeProblem(scope) is { } refused) return refused;
        var filters = AttributeFilters.Read(context.Request.Query);
        if (AttributeFilters.Problem(planning, filters) is { } badFilter) return badFilter;

        // The same matrix asked again before any verdict changed (a room of people watching it) is answered as it was,
        // down to its JSON: writing a large event's matrix takes most of the answer's time.
        var source = planning.ToNumbersSource();
        var memo = NumbersMemo.Of(source);
        var version = await engine.ResultsVersionAsync(context.RequestAborted);
        var key = (scope, matrixView, anonymize ?? false, AttributeFilters.Key(filters));
        if (memo.Remembered<JsonBytes>(key, version) is { } remembered) return remembered;

        var table = await EventNumbers.MatrixAsync(engine.Tallies(filters), source, scope, matrixView);
        var json = new JsonBytes(JsonSerializer.SerializeToUtf8Bytes(ToDto(planning, scope, table, anonymize ?? false),
            ApiJson.Default.MatrixDto));
        memo.Remember(key, version, json);
        return json;
    }

    private static async Task<Results<Ok<SummaryDto>, ProblemHttpResult, ValidationProblem>> GetSummary(
        string @event, HttpContext context, Database database, PlanningCache plannings, IResultEngine engine)
    {
        await using var connection = await database.OpenAsync(context.RequestAborted);
        var gate = await EventGate.OpenAsync(connection, plannings, @event, context.Caller(), EventNeed.Read);
        if (gate.Refusal is { } refusal) return Problems.Of(refusal);
        var planning = gate.Value!;

        var filters = AttributeFilters.Read(context.Request.Query);
        if (AttributeFilters.Problem(planning, filters) is { } badFilter) return badFilter;
        var tallies = engine.Tallies(filters);
        var source = planning.ToNumbersSource();
        var summary = await EventNumbers.SummaryAsync(tallies, source);
        var shares = await EventNumbers.AttributeSharesAsync(tallies, source, summary);
        var e = planning.Event;
        var plans = summary.Plans.Select(p =>
        {
            var pinned = planning.FindPlan(p.Plan!)!;
            return new PlanTotalsDto(p.Technology, pinned.Plan, pinned.Version, pinned.Title, TallyDto.From(p.Tally), Status(p.Statuses));
        }).ToList();
        return TypedResults.Ok(new SummaryDto(e.Key, e.Name, e.Location, e.StartDate, e.EndDate, e.Status, e.Published,
            planning.Participants.Count, TallyDto.From(summary.Total), Status(summary.Statuses),
            summary.Technologies.Select(t => new TechnologyDto(t.Technology, TallyDto.From(t.Tally), Status(t.Statuses))).ToList(),
            plans)
        {
            Filters = filters.ToDictionary(f => f.Key, f => f.Value), AttributeShares = shares,
        });
    }

    private static async Task<Results<Ok<IReadOnlyList<CaseStatDto>>, ProblemHttpResult, ValidationProblem>> GetCaseStatistics(
        string @event, string? technology, string? plan, HttpContext context, Database database, PlanningCache plannings,
        IResultEngine engine)
    {
        await using var connection = await database.OpenAsync(context.RequestAborted);
        var gate = await EventGate.OpenAsync(connection, plannings, @event, context.Caller(), EventNeed.Read);
        if (gate.Refusal is { } refusal) return Problems.Of(refusal);
        var planning = gate.Value!;

        var scope = new Scope(technology, plan);
        if (ScopeProblem(planning, scope) is { } problem) return problem;

        var filters = AttributeFilters.Read(context.Request.Query);
        if (AttributeFilters.Problem(planning, filters) is { } badFilter) return badFilter;
        var ranked = await EventNumbers.CaseStatisticsAsync(engine.Tallies(filters), planning.ToNumbersSource(), scope);
        return TypedResults.Ok(CaseStatistics(planning, ranked));
    }

    public static IReadOnlyList<CaseStatDto> CaseStatistics(EventPlanning planning, IReadOnlyList<CaseStatistics> ranked) =>
        ranked.Select((s, i) =>
        {
            var details = planning.Details(s.Case.Id);
            return new CaseStatDto(i + 1, s.Case.Technology, s.Case.Plan, details.PlanVersion, s.Case.Section, s.Case.Key,
                details.Title, details.Priority, s.Case.Directional, TallyDto.From(s.Tally), s.PassingPairs, s.PassingPairs >= 2);
        }).ToList();

    private static ProblemHttpResult? ScopeProblem(EventPlanning planning, Scope scope)
    {
        if (scope.Apply(planning.Cases).Any()) return null;
        var given = new[] { ("technology", scope.Technology), ("plan", scope.Plan), ("section", scope.Section), ("case", scope.Case) }
            .Where(f => f.Item2 is not null)
            .Select(f => $"{f.Item1} '{f.Item2}'")
            .ToList();
        return given.Count == 0
            ? null // an event with no pinned plans has an empty matrix, not an error
            : Problems.NotFound($"No test case of event '{planning.Event.Key}' matches {string.Join(", ", given)}.");
    }

    /// <summary>
    /// An anonymised matrix covers exactly one technology. Across technologies its labels would tie a product to the set
    /// of technologies it declares; narrower (a plan, a section, a case) the cells a product has results in would show
    /// which capabilities it declares. Both are in the catalogue and would single products out.
    /// </summary>
    private static ValidationProblem? AnonymisedScopeProblem(Scope scope)
    {
        if (scope.Technology is null)
            return Problems.Invalid("technology",
                "An anonymised matrix is given per technology: add technology=, as in the anonymised report's matrices.");
        var narrower = new[] { ("plan", scope.Plan), ("section", scope.Section), ("case", scope.Case) }
            .FirstOrDefault(f => f.Item2 is not null).Item1;
        return narrower is null
            ? null
            : Problems.Invalid(narrower, $"An anonymised matrix covers a whole technology; leave out {narrower}=, because " +
                                         "which cases a product has results in would show which capabilities it declares.");
    }

    private static MatrixView? ParseView(string? view) => view?.ToLowerInvariant() switch
    {
        null or "" or "ordered" => MatrixView.Ordered,
        "pair" => MatrixView.Pair,
        _ => null,
    };

    private static StatusDto Status(StatusCounts s) => new(s.Reported, s.Confirmed, s.Disputed);

    /// <summary>
    /// The matrix as JSON. Anonymised (one technology, see <see cref="AnonymisedScopeProblem"/>), products are named and
    /// ordered only by that technology's labels, and each product's cells, row and column show what was logged, never
    /// what was planned (<see cref="TallyDto.Withheld"/>): only cells with a logged verdict are listed. The total stays
    /// whole: it is the technology's, as in the summary.
    /// </summary>
    public static MatrixDto ToDto(EventPlanning planning, Scope scope, MatrixTable table, bool anonymize)
    {
        var anonymizer = anonymize ? Anonymizer(planning, scope.Technology!, table.Products) : null;
        var labels = Labels(planning, table.Products, anonymizer);
        var order = Order(table.Products, anonymizer);
        var position = new int[order.Count];
        for (var k = 0; k < order.Count; k++) position[order[k]] = k;
        Func<Tally, TallyDto> shown = anonymize ? TallyDto.Withheld : TallyDto.From;

        var cells = new List<CellDto>();
        foreach (var i in order)
            foreach (var j in order)
            {
                var tally = table.Cells[i, j];
                if (tally.Planned == 0 || (anonymize && tally.Logged == 0)) continue;
                if (table.View == MatrixView.Pair && position[i] > position[j]) continue; // symmetric: each pair once
                cells.Add(new CellDto(labels[i].Id, labels[j].Id, shown(tally)));
            }

        return new MatrixDto(planning.Event.Key,
            new ScopeDto(scope.Technology, scope.Plan, scope.Section, scope.Case),
            table.View == MatrixView.Pair ? "pair" : "ordered", anonymize,
            order.Select(i => labels[i]).ToList(), cells,
            order.Select(i => new LineDto(labels[i].Id, shown(table.Rows[i]))).ToList(),
            order.Select(i => new LineDto(labels[i].Id, shown(table.Columns[i]))).ToList(),
            TallyDto.From(table.Total));
    }

    /// <summary>Indexes into the table's products in display order: by key, or anonymised by label.</summary>
    private static IReadOnlyList<int> Order(IReadOnlyList<Participant> products, Anonymizer? anonymizer)
    {
        var indexes = Enumerable.Range(0, products.Count);
        if (anonymizer is null) return indexes.ToList(); // the table is already in key order
        return indexes.OrderBy(i => anonymizer.Position(products[i].Id)).ToList();
    }

    private static IReadOnlyList<ProductLabel> Labels(EventPlanning planning, IReadOnlyList<Participant> products, Anonymizer? anonymizer)
    {
        if (anonymizer is null)
            return products.Select(p =>
            {
                var details = planning.Participant(p.Id);
                return new ProductLabel(p.Key, $"{details.Name} {details.Version}".Trim(), details.OrganizationName);
            }).ToList();

        return products.Select(p => new ProductLabel(anonymizer.Product(p.Id), anonymizer.Product(p.Id),
            anonymizer.Organization(p.OrganizationId))).ToList();
    }

    /// <summary>The labels of one technology's matrix, drawn over its products (those declaring the technology).</summary>
    private static Anonymizer Anonymizer(EventPlanning planning, string technology, IReadOnlyList<Participant> products) =>
        new(planning.Event.Secret, technology, products.Select(p =>
        {
            var details = planning.Participant(p.Id);
            return (p.Id, p.Key, p.OrganizationId, details.OrganizationKey);
        }));

    /// <summary>
    /// A 200 whose JSON body was written once and is sent as it is, as often as asked. The endpoint's OpenAPI still
    /// describes the body (from its <c>Ok&lt;T&gt;</c>).
    /// </summary>
    public sealed class JsonBytes(byte[] utf8) : IResult
    {
        public Task ExecuteAsync(HttpContext context)
        {
            context.Response.StatusCode = StatusCodes.Status200OK;
            context.Response.ContentType = "application/json; charset=utf-8";
            context.Response.ContentLength = utf8.Length;
            return context.Response.Body.WriteAsync(utf8, context.RequestAborted).AsTask();
        }
    }
}
