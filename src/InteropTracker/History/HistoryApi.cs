using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Engine;
using InteropTracker.Events;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace InteropTracker.History;

/// <summary>
/// The /api/history routes: what changed between two events, and a product line's record across events. An engineer
/// sees only the events its organization takes part in.
/// </summary>
public static class HistoryApi
{
    public sealed record PlanPinDto(string Plan, string Version);

    public sealed record EventRefDto(string Key, string Name, string StartDate, string EndDate, string Status,
        IReadOnlyList<PlanPinDto> Plans);

    public sealed record FilterDto(string? Technology, string? Line, string? Organization);

    /// <summary>A cell's result in one event: its verdict and the products (keys) that gave it.</summary>
    public sealed record SideDto(string Verdict, string Initiator, string Responder);

    /// <summary>
    /// One cell: plan, case id, ordered pair of lines (a non-directional case: the smaller line first); caseChanged when
    /// the two events pin versions of the plan in which the case reads differently.
    /// </summary>
    public sealed record EntryDto(string Plan, string Case, string Title, string Technology, string Initiator, string Responder,
        bool CaseChanged, SideDto? From, SideDto? To);

    /// <summary>Every cell counted; <c>comparedAcrossChangedCases</c>: cells with a result in both events whose case changed.</summary>
    public sealed record CountsDto(long Regressed, long Fixed, long New, long Dropped, long Stayed, long Other,
        long ComparedAcrossChangedCases);

    public sealed record ChangedCaseDto(string Plan, string Case, string FromVersion, string ToVersion);

    /// <summary>The counts of every change and, for each, its first <c>limit</c> cells in (plan, case, lines) order.</summary>
    public sealed record DiffDto(EventRefDto From, EventRefDto To, FilterDto Filter, CountsDto Counts,
        IReadOnlyList<ChangedCaseDto> ChangedCases, int Limit, IReadOnlyList<EntryDto> Regressed, IReadOnlyList<EntryDto> Fixed,
        IReadOnlyList<EntryDto> New, IReadOnlyList<EntryDto> Dropped, IReadOnlyList<EntryDto> Stayed, IReadOnlyList<EntryDto> Other);

    /// <summary>Verdict counts and the pass rate (pass / executed; null when nothing was executed).</summary>
    public sealed record VerdictsDto(long Pass, long Fail, long Na, long Blocked, long Executed, double? Rate)
    {
        public static VerdictsDto From(Tally t) => new(t.Pass, t.Fail, t.Na, t.Blocked, t.Executed, t.Rate);
    }

    public sealed record TechnologyVerdictsDto(string Technology, VerdictsDto Verdicts);

    public sealed record LineEventDto(EventRefDto Event, IReadOnlyList<string> Products, VerdictsDto Total,
        IReadOnlyList<TechnologyVerdictsDto> Technologies);

    public sealed record MeetingDto(string Event, string Product, string Peer, VerdictsDto Verdicts);

    public sealed record PeerDto(string Line, string Organization, IReadOnlyList<MeetingDto> Events);

    public sealed record LineDto(string Line, IReadOnlyList<LineEventDto> Events, IReadOnlyList<PeerDto> Peers);

    public static IEndpointRouteBuilder MapHistory(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/history").WithTags("History").Performs(Permission.ReadHistory);
        group.MapGet("/diff", Diff).WithName("DiffEvents")
            .WithSummary("What changed from one event to another per (plan, case, ordered pair of product lines): regressed " +
                         "(pass → fail), fixed (fail → pass), new, dropped, stayed, other; filter by technology, line, organization.");
        group.MapGet("/lines/{line}", Line).WithName("GetLineHistory")
            .WithSummary("A product line across the events: its pass rate per event and technology, and each peer line's verdicts with it per event.");
        return app;
    }

    private static async Task<Results<Ok<DiffDto>, ProblemHttpResult>> Diff(string? from, string? to, string? technology,
        string? line, string? organization, int? limit, HttpContext context, Database database, PlanningCache plannings,
        IResultEngine engine)
    {
        var outcome = await EventDiff.CompareAsync(database, plannings, engine, context.Caller(), from, to,
            new DiffFilter(Blank(technology), Blank(line), Blank(organization)), limit, context.RequestAborted);
        return outcome.Refusal is { } refusal ? Problems.Of(refusal) : TypedResults.Ok(ToDto(outcome.Value!));
    }

    private static async Task<Results<Ok<LineDto>, ProblemHttpResult>> Line(string line, HttpContext context, Database database,
        PlanningCache plannings, IResultEngine engine)
    {
        var outcome = await LineHistory.ReadAsync(database, plannings, engine, context.Caller(), line, context.RequestAborted);
        return outcome.Refusal is { } refusal ? Problems.Of(refusal) : TypedResults.Ok(ToDto(outcome.Value!));
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    public static EventRefDto Ref(EventPlanning planning)
    {
        var e = planning.Event;
        return new EventRefDto(e.Key, e.Name, e.StartDate, e.EndDate, e.Status,
            planning.Plans.Select(p => new PlanPinDto(p.Plan, p.Version)).ToList());
    }

    public static DiffDto ToDto(EventsDiff diff)
    {
        IReadOnlyList<EntryDto> List(CellChange change) => diff.Lists[change].Select(Entry).ToList();
        var counts = diff.Counts;
        return new DiffDto(Ref(diff.From), Ref(diff.To), new FilterDto(diff.Filter.Technology, diff.Filter.Line, diff.Filter.Organization),
            new CountsDto(counts[CellChange.Regressed], counts[CellChange.Fixed], counts[CellChange.New], counts[CellChange.Dropped],
                counts[CellChange.Stayed], counts[CellChange.Other], diff.ComparedAcrossChangedCases),
            diff.ChangedCases.Select(c => new ChangedCaseDto(c.Plan, c.Case, c.From!.PlanVersion, c.To!.PlanVersion)).ToList(),
            diff.Limit, List(CellChange.Regressed), List(CellChange.Fixed), List(CellChange.New), List(CellChange.Dropped),
            List(CellChange.Stayed), List(CellChange.Other));
    }

    private static EntryDto Entry(DiffEntry e) =>
        new(e.Case.Plan, e.Case.Case, e.Case.Title, e.Case.Technology, e.InitiatorLine, e.ResponderLine, e.Case.Changed,
            Side(e.From), Side(e.To));

    private static SideDto? Side(DiffSide? side) =>
        side is null ? null : new SideDto(side.Verdict.Name(), side.Initiator.Key, side.Responder.Key);

    public static LineDto ToDto(LineRecord record) =>
        new(record.Line,
            record.Events.Select(e => new LineEventDto(Ref(e.Planning), e.Products.Select(p => p.Key).ToList(), VerdictsDto.From(e.Total),
                e.Technologies.OrderBy(t => t.Key, StringComparer.OrdinalIgnoreCase)
                    .Select(t => new TechnologyVerdictsDto(t.Key, VerdictsDto.From(t.Value))).ToList())).ToList(),
            record.Peers.Select(p => new PeerDto(p.Line, p.OrganizationName,
                p.ByEvent.Select((m, i) => (m, i)).Where(x => x.m is not null)
                    .Select(x => new MeetingDto(record.Events[x.i].Planning.Event.Key, x.m!.Product.Key, x.m.Peer.Key,
                        VerdictsDto.From(x.m.Tally))).ToList())).ToList());
}
