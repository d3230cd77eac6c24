using System.Data.Common;
using InteropTracker.Core;

namespace InteropTracker.Engine;

/// <summary>
/// The one door to where results are written and counted: append a result, import rows, review a result, retire what a
/// correction leaves outside the plan, read the tallies. Features check their rules first, against an event's planning
/// as of its stamp (events.updated_at, which every change to the event, its status, its participants or what they
/// declare bumps), and hand the engine plain data with that stamp;
/// the engine writes only while the event still has that stamp, so a rule checked against a stale planning never
/// reaches the disk. Everything that makes writing fast (shared commits, log flushes, checkpoints, prepared statements,
/// staging, tally upkeep, foreign-key switching) stays behind this door.
/// </summary>
public interface IResultEngine
{
    /// <summary>
    /// Appends one result as a new revision of its cell, its review back to reported. Completes once the result is on
    /// the disk; null when the event no longer has <paramref name="eventStamp"/> (nothing written: check it again).
    /// </summary>
    Task<Appended?> AppendAsync(VerdictWrite result, string eventStamp);

    /// <summary>
    /// Opens an import into an event: all its rows or none, written in one transaction that holds the event as it is
    /// until the import is committed or disposed. Null when the event no longer has <paramref name="eventStamp"/>.
    /// </summary>
    /// <param name="expectedRows">About how many rows will come, to size what the import keeps in memory once.</param>
    Task<IResultImport?> BeginImportAsync(long eventId, string eventStamp, int expectedRows, CancellationToken ct);

    /// <summary>
    /// A correction's effect on the results, inside the caller's <paramref name="transaction"/> (the one that changes the
    /// event's planning, on this engine's database): retires the results the correction leaves outside the plan (they
    /// keep their rows and revisions, and count nowhere), moves the results of cases a re-pinned plan kept unchanged to
    /// the new version's cases, and brings the event's tallies in line. False when the event no longer has
    /// <paramref name="eventStamp"/> (nothing written). The caller's change moves the stamp, so that a write checked
    /// against the old planning is checked again against the new one.
    /// </summary>
    Task<bool> RetireAsync(Retirement retirement, string eventStamp, DbTransaction transaction);

    /// <summary>Sets the review of a result's current revision, with its audit record, if both are still as read.</summary>
    Task<ReviewOutcome> ReviewAsync(ResultReview review, string eventStamp, AuditEntry audit);

    /// <summary>
    /// A number that moves whenever any current verdict may have changed (not on reviews, which no matrix shows), read
    /// from the database so that it holds across instances: what is derived from the results may be remembered under it.
    /// </summary>
    Task<long> ResultsVersionAsync(CancellationToken ct = default);

    /// <summary>
    /// The tallies, each read on its own; or, given <paramref name="snapshot"/>, inside a read transaction the caller
    /// holds, so that a report's figures and its rows come from one snapshot.
    /// </summary>
    ITallies Tallies(DbTransaction? snapshot = null);

    /// <summary>
    /// The same counts, recounted from the current results that carry every given attribute value (a filter
    /// <c>attr.&lt;name&gt;=&lt;value&gt;</c>): no tally is kept per attribute. Reads only.
    /// </summary>
    ITallies Tallies(IReadOnlyList<KeyValuePair<string, string>> attributes);

    /// <summary>
    /// Hands every current result of the event to <paramref name="visit"/>, in the order of the results' index (case, then
    /// initiator, then responder): for what reads a whole event's verdicts at once, such as the diff of two events.
    /// </summary>
    void ReadVerdicts(long eventId, VerdictVisitor visit);
}

/// <summary>One current result as <see cref="IResultEngine.ReadVerdicts"/> hands it over.</summary>
public delegate void VerdictVisitor(long caseId, long initiatorId, long responderId, Verdict verdict);

/// <summary>
/// An import under way (<see cref="IResultEngine.BeginImportAsync"/>). Rows go in through <see cref="Write"/>, best in
/// cell order a chunk at a time; nothing is kept until <see cref="CommitAsync"/>; disposing it uncommitted rolls it back.
/// </summary>
public interface IResultImport : IAsyncDisposable
{
    /// <summary>Rows an import best checks and writes at a time: what the engine holds before moving them into place.</summary>
    public const int ChunkRows = 8_192;

    /// <summary>Writes one checked row: a new result of its cell, or a new revision of the one there.</summary>
    void Write(in VerdictWrite result);

    /// <summary>How many of the rows written were new results, and how many new revisions of results already there.</summary>
    int Created { get; }

    int Revised { get; }

    /// <summary>Keeps every row written, with the import's audit record.</summary>
    Task CommitAsync(AuditEntry audit);
}

/// <summary>Results of an event to retire, and results to move to another case (the same case in a re-pinned plan's new version).</summary>
public sealed record Retirement(long EventId, IReadOnlyList<long> Retire, IReadOnlyList<CaseMove> Moves, long By);

/// <summary>What appending a result did: the result's id and the revision it now stands at.</summary>
public readonly record struct Appended(long ResultId, long Revision);

/// <summary>A review of the revision a caller saw: confirmed, or disputed with a reason.</summary>
public sealed record ResultReview(long EventId, long ResultId, long Revision, string Status, string? Reason, long By);

public enum ReviewOutcome
{
    Reviewed,

    /// <summary>The event changed since its stamp: nothing written, load it again.</summary>
    EventChanged,

    /// <summary>The result has a newer revision than the one reviewed, or is not in the event: nothing written.</summary>
    ResultChanged,
}

/// <summary>
/// An audit record to write with a change, in its transaction: with the event it concerns, and what the change's fields
/// were before and after (plain objects, written as JSON).
/// </summary>
public sealed record AuditEntry(Caller By, string Action, string Subject, long? EventId = null, object? Before = null, object? After = null);

/// <summary>The counts kept beside the results, which the matrix, the summary and the statistics read.</summary>
public interface ITallies
{
    /// <summary>The current verdicts of each ordered pair in the given plans of the event: counts per pair, plan and verdict.</summary>
    Task<IReadOnlyList<CellCount>> PairsAsync(long eventId, IReadOnlyCollection<long> planIds);

    /// <summary>The current verdicts of each ordered pair in the given cases only (a scope narrower than whole plans).</summary>
    Task<IReadOnlyList<CellCount>> PairsOfCasesAsync(long eventId, IReadOnlyCollection<long> caseIds);

    /// <summary>Each case's current verdicts, review statuses and distinct passing pairs.</summary>
    Task<IReadOnlyList<CaseTally>> CasesAsync(long eventId);

    /// <summary>How many current results of each case carry each attribute value, per verdict.</summary>
    Task<IReadOnlyList<AttributeCount>> AttributesAsync(long eventId);
}

/// <summary>How many current results of a case with this verdict carry the attribute value.</summary>
public readonly record struct AttributeCount(long CaseId, string Name, string Value, Verdict Verdict, long Count);

/// <summary>One case's tally: current verdicts, their review statuses, and the distinct pairs with a pass.</summary>
public readonly record struct CaseTally(long CaseId, long Pass, long Fail, long Na, long Blocked, long Reported, long Confirmed,
    long Disputed, long PassingPairs);
