using InteropTracker.Core;
using InteropTracker.Matrix;

namespace InteropTracker.Reports;

/// <summary>
/// Everything a report shows, as plain data that both writers render. An anonymised model is built without any
/// organization, product or person name or key, note, dispute reason or issue reference (those fields are null, and
/// the sheets and sections that would hold them are left out), so neither writer can leak one; nor with anything that ties one product to
/// its attributes in the catalogue (see <see cref="ReportComposer"/>): no participant list, no results, matrices
/// labelled per technology with planned counts withheld, and the date it was made without the time.
/// </summary>
public sealed record ReportModel
{
    public required ReportEvent Event { get; init; }
    public required bool Anonymised { get; init; }
    /// <summary>When it was made (UTC); anonymised, the date only (midnight), which the writers show as a date.</summary>
    public required DateTime GeneratedAt { get; init; }

    /// <summary>Totals for the event, each technology and each plan (the API's /summary).</summary>
    public required EventSummary Summary { get; init; }

    /// <summary>One ordered matrix per technology (the API's /matrix?technology=), in the summary's order.</summary>
    public required IReadOnlyList<ReportMatrix> Matrices { get; init; }

    /// <summary>Per-case figures, worst first (the API's /test-case-stats).</summary>
    public required IReadOnlyList<ReportCaseFigures> Cases { get; init; }

    /// <summary>Participants in display order, by organization then product; empty when anonymised.</summary>
    public required IReadOnlyList<ReportParticipant> Participants { get; init; }

    public required int ProductCount { get; init; }
    public required int OrganizationCount { get; init; }

    /// <summary>How many products (and of how many organizations) declare each technology: counts, never who.</summary>
    public required IReadOnlyList<LineupRow> TechnologyLineup { get; init; }

    /// <summary>How many products (and of how many organizations) are of each kind.</summary>
    public required IReadOnlyList<LineupRow> KindLineup { get; init; }

    public required IReadOnlyList<ReportPlan> Plans { get; init; }

    /// <summary>How many rows <see cref="Results"/> yields, known before streaming them (sheet ranges, splitting).</summary>
    public required long ResultCount { get; init; }

    /// <summary>
    /// Every current verdict, read from the database while it is enumerated: never held in memory at once. None when
    /// anonymised: which cases a product has results in shows which capabilities it declares.
    /// </summary>
    public required IAsyncEnumerable<ReportResult> Results { get; init; }

    /// <summary>The event's timetable of test sessions as last built; none when anonymised, as it names products.</summary>
    public Timetable? Timetable { get; init; }
    /// <summary>
    /// "Feedback on the test-case documents": every case with a failed or blocked result, its failures by cause, those
    /// the documents answer for (test-case, specification) first. Cases and counts only, so the anonymised model keeps it.
    /// </summary>
    public IReadOnlyList<ReportFeedback> Feedback { get; init; } = [];

    /// <summary>A published event's aggregates against the previous published event of the same product lines; counts only.</summary>
    public ReportComparison? Comparison { get; init; }

    /// <summary>
    /// Each attribute value's share of the executed results, per technology (plan null) then per plan, in the order and
    /// with the figures of the API's /summary; a technology of one plan has only its plan's rows (the same figures).
    /// Aggregates over every product, so the anonymised model keeps them.
    /// </summary>
    public IReadOnlyList<AttributeShare> AttributeShares { get; init; } = [];

    public string Classification => Anonymised ? "Anonymised" : "Confidential to participants";

    /// <summary>Whether any pinned plan declares result attributes: the summary then gives their shares.</summary>
    public bool HasAttributes => Plans.Any(p => p.Attributes.Count > 0);

    /// <summary>The executed results an attribute share is of: its plan's, or (plan null) its technology's.</summary>
    public long ExecutedOf(AttributeShare share) => share.Plan is { } plan
        ? Summary.Plans.First(p => p.Plan == plan && p.Technology == share.Technology).Tally.Executed
        : Summary.Technologies.First(t => t.Technology == share.Technology).Tally.Executed;

    /// <summary>Cases with fewer than two distinct product pairs that passed them: not yet shown to interoperate.</summary>
    public IEnumerable<ReportCaseFigures> ShortOfTwoPassingPairs => Cases.Where(c => c.PassingPairs < 2);
}

public sealed record ReportEvent
{
    public required string Key { get; init; }
    public required string Name { get; init; }
    public required string Location { get; init; }
    public required DateOnly StartDate { get; init; }
    public required DateOnly EndDate { get; init; }
    public required string Status { get; init; }
    public required bool Published { get; init; }
    /// <summary>Where issue references link to (the event's issueUrlTemplate); null in an anonymised model, which has none.</summary>
    public string? IssueUrlTemplate { get; init; }

    /// <summary>The snapshot this report was made for (its bytes are kept and served once published); null for a live report.</summary>
    public long? Snapshot { get; init; }

    /// <summary>Whether the figures may still change: a live report of an event not closed and published.</summary>
    public bool Provisional { get; init; }

    /// <summary>The status as the report states it: provisional, or the snapshot it is.</summary>
    public string Standing => Snapshot is { } n
        ? $"{Status}, snapshot {n} (final)"
        : Provisional
            ? $"{Status}{(Published ? ", published" : "")}; provisional: the figures may change until the event is closed and published"
            : Published ? $"{Status}, published" : Status;

    /// <summary>The report's title: marked provisional while the figures may change.</summary>
    public string Title => Provisional ? "Interop report (provisional)" : "Interop report";
}

/// <summary>
/// A participant as a report names it. In an anonymised model it is a row and column of one technology's matrix and
/// carries only its labels: everything else is null.
/// </summary>
public sealed record ReportParticipant
{
    /// <summary>Position in <see cref="ReportModel.Participants"/>; never a database id.</summary>
    public required int Index { get; init; }

    /// <summary>What tables and matrices call it: the product name, or "Vendor C · 1".</summary>
    public required string Label { get; init; }

    /// <summary>The organization's name, or "Vendor C".</summary>
    public required string OrganizationLabel { get; init; }

    public string? Kind { get; init; }
    public IReadOnlyList<string>? Technologies { get; init; }
    public IReadOnlyList<string>? Capabilities { get; init; }

    public string? Key { get; init; }
    public string? Name { get; init; }
    public string? Version { get; init; }
    public string? OrganizationKey { get; init; }
    public string? OrganizationName { get; init; }
}

/// <summary>
/// One technology's matrix; <see cref="Products"/>[i] is row i and column i of <see cref="Table"/>. Anonymised, the
/// products are that technology's labels and each tally's planned count is what was logged
/// (<see cref="Anonymizer.Withheld"/>): nothing untested, an empty cell where nothing was logged.
/// </summary>
public sealed record ReportMatrix(string Technology, MatrixTable Table, IReadOnlyList<ReportParticipant> Products)
{
    /// <summary>The evidence files attached to each cell's current results; null in an anonymised model, which has none.</summary>
    public ReportEvidence? Evidence { get; init; }
}

/// <summary>
/// How many evidence files the current results of each cell of a <see cref="ReportMatrix"/> have: <see cref="Files"/>[i, j]
/// for initiator i and responder j, in the matrix's product order.
/// </summary>
public sealed record ReportEvidence(long[,] Files)
{
    public long Row(int i)
    {
        var sum = 0L;
        for (var j = 0; j < Files.GetLength(1); j++) sum += Files[i, j];
        return sum;
    }

    public long Column(int j)
    {
        var sum = 0L;
        for (var i = 0; i < Files.GetLength(0); i++) sum += Files[i, j];
        return sum;
    }

    public long Total
    {
        get
        {
            var sum = 0L;
            foreach (var files in Files) sum += files;
            return sum;
        }
    }
}

/// <summary>A line of the participants' lineup: a technology or a kind, with its products and their organizations.</summary>
public sealed record LineupRow(string Name, int Products, int Organizations);

public sealed record ReportCase
{
    public required string Technology { get; init; }
    public required string Plan { get; init; }
    public required string PlanVersion { get; init; }
    public required string Section { get; init; }
    public required string SectionTitle { get; init; }
    public required string Key { get; init; }
    public required string Title { get; init; }
    public required string Priority { get; init; }
}

public sealed record ReportCaseFigures(int Rank, ReportCase Case, Tally Tally, long PassingPairs);

/// <summary>
/// One case's failed and blocked results by cause: <see cref="ByCause"/> follows <see cref="Causes.All"/>, then the
/// results that named none.
/// </summary>
public sealed record ReportFeedback(ReportCase Case, IReadOnlyList<string> References, long Fail, long Blocked, IReadOnlyList<long> ByCause)
{
    public static readonly IReadOnlyList<string> Columns = [.. Causes.All, "not said"];

    /// <summary>The failures the case's documents answer for: the test case itself, or the specification it rests on.</summary>
    public long OfTheDocuments => ByCause[Causes.Index("test-case")] + ByCause[Causes.Index("specification")];
}

/// <summary>How many current results of a case have a verdict and a cause (null: none said). Input to the feedback.</summary>
public readonly record struct CauseCount(long CaseId, Verdict Verdict, string? Cause, long Count);

public sealed record ReportPlan
{
    public required string Plan { get; init; }
    public required string Version { get; init; }
    public required string Title { get; init; }
    public required string Technology { get; init; }
    public required string Source { get; init; }
    public required int Sections { get; init; }
    public required int Cases { get; init; }

    /// <summary>The result attributes the plan declares, each with its values in the plan's order; empty when it declares none.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Attributes { get; init; } = ResultAttributes.None;
}

public enum ReviewStatus { Reported, Confirmed, Disputed }

/// <summary>
/// One current verdict, with its cause and how many evidence files it has. Notes, issue and dispute reason are null in an
/// anonymised model (which has no results at all).
/// </summary>
public readonly record struct ReportResult(
    ReportCase Case,
    ReportParticipant Initiator,
    ReportParticipant Responder,
    Verdict Verdict,
    ReviewStatus Status,
    long Revision,
    DateTime UpdatedAt,
    string? Notes,
    string? Issue,
    string? StatusReason,
    string? Cause = null,
    long Evidence = 0);

/// <summary>How many evidence files the current results of one case between an initiator and a responder have.</summary>
public sealed record PairEvidence
{
    public long CaseId { get; init; }
    public long InitiatorId { get; init; }
    public long ResponderId { get; init; }
    public long Files { get; init; }
}

/// <summary>One current verdict as stored, by database ids. Input to <see cref="ReportComposer"/>.</summary>
public readonly record struct StoredResult(
    long CaseId,
    long InitiatorId,
    long ResponderId,
    Verdict Verdict,
    ReviewStatus Status,
    long Revision,
    DateTime UpdatedAt,
    string? Notes,
    string? Issue,
    string? StatusReason,
    string? Cause = null,
    long Evidence = 0);

/// <summary>What a report is composed from: an event's facts and its numbers from <see cref="EventNumbers"/>.</summary>
public sealed record ReportFacts
{
    public required ReportEvent Event { get; init; }
    public required string AnonymizationSecret { get; init; }
    public required IReadOnlyList<Participant> Products { get; init; }
    public required IReadOnlyList<CaseDetails> Cases { get; init; }
    public required IReadOnlyList<ReportPlan> Plans { get; init; }
    public required EventSummary Summary { get; init; }
    public required IReadOnlyList<(string Technology, MatrixTable Table)> Matrices { get; init; }
    public required IReadOnlyList<CaseStatistics> CaseStatistics { get; init; }
    public required long ResultCount { get; init; }

    /// <summary>The current fail and blocked results per case and cause.</summary>
    public IReadOnlyList<CauseCount> Causes { get; init; } = [];

    /// <summary>Each case's references (such as "RFC 3261 §13"), by case id, from its plan document.</summary>
    public IReadOnlyDictionary<long, IReadOnlyList<string>> References { get; init; } = new Dictionary<long, IReadOnlyList<string>>();

    /// <summary>Each attribute value's share of the executed results (the API's /summary).</summary>
    public IReadOnlyList<AttributeShare> AttributeShares { get; init; } = [];

    /// <summary>How many evidence files the current results of each case and ordered pair have (only pairs with some).</summary>
    public IReadOnlyList<PairEvidence> Evidence { get; init; } = [];

    /// <summary>The current verdicts, grouped by initiator in the given order of product ids (only the full report reads them).</summary>
    public required Func<IReadOnlyList<long>, IAsyncEnumerable<StoredResult>> Results { get; init; }
}
