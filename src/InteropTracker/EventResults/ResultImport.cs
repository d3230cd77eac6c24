using InteropTracker.Engine;
using InteropTracker.Core;
using InteropTracker.Input;

namespace InteropTracker.EventResults;

/// <summary>
/// Bulk results: a CSV file (RFC 4180, header row required; columns plan, case, initiator, responder, verdict, notes,
/// issue in any order) or a JSON array of the same objects. All rows or none. The body is read as a stream, into a
/// temporary file, outside any transaction, so that a slow upload holds no lock: a large body is checked row by row
/// against the event's planning as it arrives (<see cref="CheckAsync"/>) and refused at the chunk of its first bad row
/// with the rest unread; a small one (<see cref="CopiedBytes"/>) is only copied. Then, inside the import's transaction,
/// the rows are read again from the file, each checked (once more: the planning may have changed in between) and
/// written into the engine's import chunk by chunk (<see cref="Apply"/>), each chunk in cell order with the rows of one
/// cell in file order (so they become successive revisions in that order), and committed by the caller; a bad row
/// stops that pass too. There reading and checking run on one thread and writing on another, a chunk of rows
/// behind: on the machines an event runs on, the two cores work at once. Memory holds a few chunks of rows, never the file.
/// </summary>
public static partial class ResultImport
{
    /// <summary>The largest file accepted: room for <see cref="MaxRows"/> rows with notes of a few dozen characters.</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    /// <summary>
    /// A body of at most this many bytes (by its Content-Length) is copied to the temporary file before any row is read,
    /// and checked only in the pass that writes: on the disk, not in memory, and small enough that reading it whole to
    /// find a bad row costs little, while the pass it saves would add to the import's time.
    /// </summary>
    public const long CopiedBytes = 16L * 1024 * 1024;

    /// <summary>The most rows one import writes: what a bulk write remembers of its cells grows with them.</summary>
    public const int MaxRows = 200_000;

    /// <summary>A file with more bad rows than this lists only the first ones, and says how many there are.</summary>
    public const int MaxListedErrors = 1000;

    public sealed record Summary(int Rows, int Created, int Revised);

    /// <summary>
    /// What an import came to: written (<see cref="Summary"/>), or refused with every bad row of the chunk where the
    /// first was found (<see cref="Errors"/>, <see cref="BadRows"/> in all), or a file that cannot be read on
    /// (<see cref="FileError"/> at <see cref="FileErrorLocation"/>; <see cref="TooLarge"/> when it is over a limit) or
    /// holds no row. Only a summary may be committed.
    /// </summary>
    /// <param name="Rows">How many rows were read before the answer was known.</param>
    /// <param name="ReadToEnd">Whether the whole file was read; a refusal stops reading at the chunk of its first bad row.</param>
    public sealed record Outcome(Summary? Summary, Dictionary<string, string[]> Errors, int BadRows, int Rows, bool ReadToEnd,
        string? FileError = null, string? FileErrorLocation = null, bool TooLarge = false);

    /// <summary>Rows checked and written at a time: as many as the engine holds before moving them into place.</summary>
    private const int ChunkRows = IResultImport.ChunkRows;

    /// <summary>A chunk of checked rows; <see cref="Clean"/> when none was refused, and only then are its cells all set.</summary>
    private sealed record Chunk(CellWrite?[] Cells, bool Clean);

    /// <summary>The bad rows found so far, the first <see cref="MaxListedErrors"/> of them with their reasons.</summary>
    private sealed class Refusals
    {
        public Dictionary<string, string[]> Errors { get; } = new();
        public int Bad { get; private set; }

        /// <summary>Checks a chunk of rows; its cells are all set only when it comes back clean.</summary>
        public Chunk Check(EventPlanning planning, Caller caller, Rows rows, List<Row> read)
        {
            var cells = new CellWrite?[read.Count];
            var clean = true;
            for (var r = 0; r < read.Count; r++)
            {
                var check = ResultRules.Check(planning, caller, read[r].Input);
                if (check.Cell is { } cell)
                {
                    cells[r] = cell;
                    continue;
                }
                clean = false;
                if (++Bad <= MaxListedErrors)
                    Errors[rows.Locate(read[r])] = check.Forbidden is { } forbidden
                        ? [forbidden]
                        : check.Errors.Select(e => $"{e.Key}: {e.Value}").ToArray();
            }
            return new Chunk(cells, clean);
        }
    }

    /// <summary>
    /// The first pass: reads the rows as they arrive and checks them against <paramref name="planning"/>, writing nothing,
    /// and stops at the end of the first chunk with a bad row, at a broken record, or past <see cref="MaxRows"/>. Reading
    /// runs on one thread and checking on another, at most two chunks ahead, so that the pass costs about the longer of
    /// the two rather than both.
    /// </summary>
    /// <returns>The refusal, or an outcome with neither summary nor errors (<see cref="Outcome.Rows"/> rows, all good).</returns>
    public static async Task<Outcome> CheckAsync(EventPlanning planning, Caller caller, Rows rows, CancellationToken ct)
    {
        var refusals = new Refusals();
        var total = 0;
        Outcome? refused = null;
        await using (var chunks = new ReadAhead<List<Row>>(2, async (hand, stop) =>
        {
            while (true)
            {
                var read = new List<Row>(ChunkRows);
                if (!await rows.ReadAsync(read, ChunkRows, stop)) break;
                await hand(read);
            }
        }, ct))
        await foreach (var read in chunks.ReadAllAsync(ct))
        {
            total += read.Count;
            if (total > MaxRows)
            {
                refused = PastCap(refusals, total, rows.Locate(read[MaxRows - (total - read.Count)]));
                break;
            }
            if (!refusals.Check(planning, caller, rows, read).Clean)
            {
                // The whole file was read when the reading ends with no chunk after this one (waiting for at most one more).
                var readToEnd = !await chunks.MoreAsync(ct) && rows.Error is null;
                refused = new Outcome(null, refusals.Errors, refusals.Bad, total, readToEnd);
                break; // the rest of the body is not read
            }
        }
        if (refused is not null) return refused;
        if (rows.Error is not null) return new Outcome(null, refusals.Errors, 0, total, false, rows.Error, rows.ErrorLocation, rows.TooLarge);
        if (total == 0) return new Outcome(null, refusals.Errors, 0, 0, true, "The file has no result rows.", "body");
        return new Outcome(null, refusals.Errors, 0, total, true);
    }

    /// <summary>
    /// The second pass: checks every row again and writes them into <paramref name="import"/> (rows of one cell in file
    /// order), or says why none can be kept. The import must be of <paramref name="planning"/>'s event at that planning's
    /// stamp; the caller commits it only when the outcome has a summary (otherwise rows written before the first bad one
    /// are in it).
    /// </summary>
    public static Outcome Apply(IResultImport import, EventPlanning planning, Caller caller, Rows rows, string at)
    {
        var refusals = new Refusals(); // both written by the checking thread only, and read once it has ended
        string? pastCap = null;
        var readToEnd = true;
        // A write that fails leaves the checking thread nobody to hand chunks to: disposing stops it before leaving.
        using var chunks = new ReadAhead<Chunk>(4, async (hand, stop) =>
        {
            var read = new List<Row>(ChunkRows);
            var count = 0;
            while (await rows.ReadAsync(read, ChunkRows, stop))
            {
                count += read.Count;
                if (count > MaxRows)
                {
                    pastCap = rows.Locate(read[MaxRows - (count - read.Count)]);
                    break;
                }
                var chunk = refusals.Check(planning, caller, rows, read);
                // In cell order, so that the writer fills the results' indexes from one end of each run rather than
                // all over; rows of one cell keep their file order (the row breaks ties), so that they become
                // revisions in that order.
                if (chunk.Clean) SortByCell(chunk.Cells);
                await hand(chunk);
                read.Clear();
                if (chunk.Clean) continue;
                // Nothing of this file will be kept: the answer only says whether rows came after this chunk.
                readToEnd = rows.Error is null && !await rows.ReadAsync(read, 1, stop);
                break;
            }
        });

        var total = 0;
        var writing = true;
        foreach (var chunk in chunks.ReadAll())
        {
            total += chunk.Cells.Length;
            writing &= chunk.Clean;
            if (!writing) continue;
            foreach (var cell in chunk.Cells)
                import.Write(cell!.ToWrite(planning.Event.Id, caller.TokenId, at));
        }
        if (pastCap is not null) return PastCap(refusals, total, pastCap);
        if (refusals.Bad > 0) return new Outcome(null, refusals.Errors, refusals.Bad, total, readToEnd);
        if (rows.Error is not null) return new Outcome(null, refusals.Errors, 0, total, false, rows.Error, rows.ErrorLocation, rows.TooLarge);
        if (total == 0) return new Outcome(null, refusals.Errors, 0, 0, true, "The file has no result rows.", "body");
        return new Outcome(new Summary(total, import.Created, import.Revised), refusals.Errors, 0, total, true);
    }

    private static Outcome PastCap(Refusals refusals, int rows, string location) =>
        new(null, refusals.Errors, 0, rows, false, $"The file has more than {MaxRows:N0} rows, the most one import writes; split it.",
            location, TooLarge: true);

    private static void SortByCell(CellWrite?[] cells)
    {
        var order = new CellOrder[cells.Length];
        for (var r = 0; r < cells.Length; r++)
            order[r] = new CellOrder(cells[r]!.Case.Id, cells[r]!.Initiator.Id, cells[r]!.Responder.Id, r);
        Array.Sort(order, cells);
    }

    private readonly record struct CellOrder(long Case, long Initiator, long Responder, int Row) : IComparable<CellOrder>
    {
        public int CompareTo(CellOrder other)
        {
            var c = Case.CompareTo(other.Case);
            if (c == 0) c = Initiator.CompareTo(other.Initiator);
            if (c == 0) c = Responder.CompareTo(other.Responder);
            return c != 0 ? c : Row.CompareTo(other.Row);
        }
    }
}
