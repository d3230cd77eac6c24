using Dapper;
using InteropTracker.Core;
using InteropTracker.Engine;
using InteropTracker.Events;
using InteropTracker.Storage;
using InteropTracker.TestPlans;
using System.Data.Common;

namespace InteropTracker.History;

/// <summary>What a diff is narrowed to: a technology, a product line (either side), an organization (either side's line).</summary>
public sealed record DiffFilter(string? Technology = null, string? Line = null, string? Organization = null);

/// <summary>
/// One test case as the diff matches it across the two events: by plan key and case id, whatever version each event
/// pins. <see cref="Changed"/>: the versions differ and the case's content with them.
/// </summary>
public sealed record MatchedCase(string Plan, string Case, string Title, string Technology, CaseDetails? From, CaseDetails? To,
    bool Changed);

/// <summary>A cell's result in one of the two events: its verdict and the two products (of the cell's lines) that gave it.</summary>
public sealed record DiffSide(Verdict Verdict, Participant Initiator, Participant Responder);

/// <summary>One listed cell: its case, its ordered pair of lines, and its result in each event (null: none there).</summary>
public sealed record DiffEntry(CellChange Change, MatchedCase Case, string InitiatorLine, string ResponderLine, DiffSide? From,
    DiffSide? To);

public sealed record EventsDiff(EventPlanning From, EventPlanning To, DiffFilter Filter, int Limit,
    IReadOnlyDictionary<CellChange, long> Counts, long ComparedAcrossChangedCases, IReadOnlyList<MatchedCase> ChangedCases,
    IReadOnlyDictionary<CellChange, IReadOnlyList<DiffEntry>> Lists);

/// <summary>
/// What changed from one event to another, per (plan, case id, ordered pair of product lines): regressed, fixed, new,
/// dropped, stayed, otherwise changed. Each event's current results are read once, in the order of the results'
/// (event, case, initiator, responder) index (<see cref="IResultEngine.ReadVerdicts"/>), turned into cell keys that mean the same in both events, sorted, and merged
/// (<see cref="CellDiff"/>): no join between the two events, so the cost grows with the results, not their product.
/// </summary>
public static class EventDiff
{
    public const int DefaultLimit = 200;
    public const int MaxLimit = 10_000;

    public static async Task<Outcome<EventsDiff>> CompareAsync(Database database, PlanningCache plannings, IResultEngine engine, Caller caller,
        string? from, string? to, DiffFilter filter, int? limit, CancellationToken ct = default)
    {
        if (Permissions.Refusal(Permission.ReadHistory, caller) is { } why) return Refusal.Forbidden(why);
        if (string.IsNullOrWhiteSpace(from)) return Refusal.Invalid("from", "Name the earlier event: from={event key}.");
        if (string.IsNullOrWhiteSpace(to)) return Refusal.Invalid("to", "Name the later event: to={event key}.");
        if (limit is < 0 or > MaxLimit)
            return Refusal.Invalid("limit", $"limit is how many cells each list shows, from 0 to {MaxLimit}; {limit} is not.");

        await using var connection = await database.OpenAsync(ct);
        var before = await EventGate.OpenAsync(connection, plannings, from, caller, EventNeed.Read);
        if (before.Refusal is { } notFrom) return notFrom;
        var after = await EventGate.OpenAsync(connection, plannings, to, caller, EventNeed.Read);
        if (after.Refusal is { } notTo) return notTo;

        var cases = await MatchCasesAsync(connection, before.Value!, after.Value!);
        var space = new CellSpace(cases, before.Value!, await LinesAsync(connection, before.Value!),
            after.Value!, await LinesAsync(connection, after.Value!));
        if (space.Narrow(filter) is { } unknown) return unknown;

        // The two events are read side by side: most of the time goes into reading.
        var reads = new[] { space.From, space.To }.Select(side => Task.Run(() => side.Read(engine), ct)).ToArray();
        var cells = await Task.WhenAll(reads);
        var merged = CellDiff.Merge(cells[0], cells[1], key => space.Cases[space.CaseOf(key)].Changed, limit ?? DefaultLimit);

        var lists = merged.Listed.ToDictionary(l => l.Key,
            l => (IReadOnlyList<DiffEntry>)l.Value.Select(c => space.Entry(c, cells[0], cells[1])).ToList());
        return new EventsDiff(before.Value!, after.Value!, filter, limit ?? DefaultLimit, merged.Counts,
            merged.ComparedAcrossChangedCases, cases.Where(c => c.Changed).ToList(), lists);
    }

    /// <summary>
    /// How many cells of each change, for two events already opened by the caller's own rule (a published event's report
    /// carries these aggregates to anyone who may read it): counts only, no cell listed.
    /// </summary>
    public static async Task<IReadOnlyDictionary<CellChange, long>> CountAsync(DbConnection connection, IResultEngine engine,
        EventPlanning from, EventPlanning to, CancellationToken ct = default)
    {
        var cases = await MatchCasesAsync(connection, from, to);
        var space = new CellSpace(cases, from, await LinesAsync(connection, from), to, await LinesAsync(connection, to));
        var reads = new[] { space.From, space.To }.Select(side => Task.Run(() => side.Read(engine), ct)).ToArray();
        var cells = await Task.WhenAll(reads);
        return CellDiff.Merge(cells[0], cells[1], key => space.Cases[space.CaseOf(key)].Changed, limit: 0).Counts;
    }

    /// <summary>
    /// The cases of both events matched by plan key and case id, each plan's in its later document order (cases only
    /// the earlier event has come after). A case whose plan is pinned at two versions is changed when
    /// <see cref="TestPlanDiff"/> finds any field of it changed.
    /// </summary>
    private static async Task<IReadOnlyList<MatchedCase>> MatchCasesAsync(DbConnection connection, EventPlanning from,
        EventPlanning to)
    {
        var matched = new List<MatchedCase>();
        var plans = from.Plans.Select(p => p.Plan).Union(to.Plans.Select(p => p.Plan)).Order(StringComparer.Ordinal);
        foreach (var plan in plans)
        {
            var (earlier, later) = (from.FindPlan(plan), to.FindPlan(plan));
            var changed = earlier is not null && later is not null && earlier.Version != later.Version
                ? await ChangedCasesAsync(connection, plan, earlier.Version, later.Version)
                : [];
            var fromCases = Details(from, plan);
            var toCases = Details(to, plan);
            foreach (var c in toCases.Values.OrderBy(c => c.Ordinal))
            {
                var old = fromCases.GetValueOrDefault(c.Case.Key);
                matched.Add(new MatchedCase(plan, c.Case.Key, c.Title, c.Case.Technology, old, c,
                    old is not null && changed.Contains(c.Case.Key)));
            }
            foreach (var c in fromCases.Values.Where(c => !toCases.ContainsKey(c.Case.Key)).OrderBy(c => c.Ordinal))
                matched.Add(new MatchedCase(plan, c.Case.Key, c.Title, c.Case.Technology, c, null, false));
        }
        return matched;
    }

    private static Dictionary<string, CaseDetails> Details(EventPlanning planning, string plan) =>
        planning.Cases.Where(c => c.Plan == plan).Select(c => planning.Details(c.Id)).ToDictionary(c => c.Case.Key, StringComparer.Ordinal);

    private static async Task<HashSet<string>> ChangedCasesAsync(DbConnection connection, string plan, string fromVersion,
        string toVersion)
    {
        var earlier = await TestPlanStore.FindDocumentAsync(connection, plan, fromVersion);
        var later = await TestPlanStore.FindDocumentAsync(connection, plan, toVersion);
        if (earlier is null || later is null) return [];
        var diff = TestPlanDiff.Compare(TestPlanDocument.FromCanonicalJson(earlier.Document), TestPlanDocument.FromCanonicalJson(later.Document));
        return diff.Changed.Select(c => c.Id).ToHashSet(StringComparer.Ordinal);
    }

    private sealed record ProductLine
    {
        public long ProductId { get; init; }
        public string Line { get; init; } = "";
    }

    /// <summary>
    /// The product line of each participant, read with each diff rather than kept in the cached planning: a product's
    /// line may be corrected without the event changing.
    /// </summary>
    internal static async Task<IReadOnlyDictionary<long, string>> LinesAsync(DbConnection connection, EventPlanning planning)
    {
        var rows = await connection.QueryAsync<ProductLine>("""
            SELECT pa.product_id AS ProductId, p.line FROM participants pa JOIN products p ON p.id = pa.product_id
            WHERE pa.event_id = @id
            """, new { id = planning.Event.Id });
        return rows.ToDictionary(r => r.ProductId, r => r.Line);
    }
}
