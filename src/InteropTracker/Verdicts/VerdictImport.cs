using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using InteropTracker.Access;
using InteropTracker.Events;
using InteropTracker.Matrix;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Verdicts;

/// <summary>
/// Bulk results: a CSV file (RFC 4180, header row required; columns plan, case, initiator, responder, verdict, notes,
/// issue in any order) or a JSON array of the same objects. All rows or none: every row is checked against the
/// event's planning, and only a file with no bad row is kept: written through <see cref="VerdictWriter"/> chunk by chunk,
/// each chunk in cell order with the rows of one cell in file order (so they become successive revisions in that
/// order), and committed by the caller. Reading and checking run on
/// one thread and writing on another, a chunk of rows behind: on the machines an event runs on, the two cores work at
/// once. The first bad row stops the writing (the caller rolls back what was written); the rest is still checked, so
/// that the answer lists every bad row.
/// </summary>
public static class VerdictImport
{
    /// <summary>The largest file accepted (a 100,000-row CSV with notes is about 15 MB).</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    /// <summary>A file with more bad rows than this lists only the first ones, and says how many there are.</summary>
    public const int MaxListedErrors = 1000;

    public static readonly IReadOnlyList<string> Columns = ["plan", "case", "initiator", "responder", "verdict", "notes", "issue"];
    private static readonly IReadOnlyList<string> RequiredColumns = ["plan", "case", "initiator", "responder", "verdict"];

    /// <summary>A row of the file: its number, counted as its <see cref="Rows.Locate"/> says.</summary>
    public readonly record struct Row(int Number, ResultInput Input);

    public sealed record Summary(int Rows, int Created, int Revised);

    /// <summary>
    /// What an import came to: written (<see cref="Summary"/>), or refused with every bad row (<see cref="Errors"/>,
    /// <see cref="BadRows"/> in all), or a file that cannot be read on (<see cref="FileError"/> at
    /// <see cref="FileErrorLocation"/>) or holds no row. Only a summary may be committed.
    /// </summary>
    /// <param name="Rows">How many rows the file holds (as far as it could be read).</param>
    public sealed record Outcome(Summary? Summary, Dictionary<string, string[]> Errors, int BadRows, int Rows,
        string? FileError = null, string? FileErrorLocation = null);

    /// <summary>
    /// The rows of an upload, read a chunk at a time. What makes the whole file unreadable is in <see cref="Error"/>,
    /// at <see cref="ErrorLocation"/>: found at once for a JSON file or a CSV header, or when reading reaches a broken
    /// CSV record.
    /// </summary>
    public abstract class Rows
    {
        public string? Error { get; protected set; }
        public string? ErrorLocation { get; protected set; }

        /// <summary>At least as many as the rows of the file, to size what a write keeps in memory.</summary>
        public abstract int Estimate { get; }

        /// <summary>Where a row is, as an answer names it: "row 7" in a CSV (the header is row 1), "[6]" in JSON (from 0).</summary>
        public abstract string Locate(Row row);

        /// <summary>Adds up to <paramref name="max"/> rows; false when no row was left, or the file broke (see <see cref="Error"/>).</summary>
        public abstract bool Read(List<Row> into, int max);
    }

    /// <summary>The rows of a CSV text; the header is read here, the records as they are asked for.</summary>
    public static Rows Csv(string text) => new CsvRows(text);

    public static Rows Json(ReadOnlySpan<byte> utf8) => new JsonRows(utf8);

    private sealed class CsvRows : Rows
    {
        private readonly CsvReader _reader;
        private readonly int _columns;
        private readonly int _plan, _case, _initiator, _responder, _verdict, _notes, _issue;
        // Keys and verdicts repeat row after row: each distinct value is one string, found from the file's characters.
        private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _keys =
            new Dictionary<string, string>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

        public CsvRows(string text)
        {
            _reader = new CsvReader(text);
            Estimate = text.AsSpan().Count('\n') + 1;
            if (!_reader.Next() || _reader.IsBlank)
            {
                Broken("row 1", $"The file has no header row; the first row names the columns: {string.Join(",", Columns)}.");
                return;
            }
            if (_reader.Broken is { } brokenHeader)
            {
                Broken("row 1", brokenHeader);
                return;
            }

            var given = Enumerable.Range(0, _reader.Count).Select(f => _reader.Field(f)).ToList();
            var header = given.Select(f => f.Trim().ToLowerInvariant()).ToList();
            for (var i = 0; i < header.Count; i++)
            {
                if (!Columns.Contains(header[i]))
                {
                    Broken("row 1", $"Column {i + 1} '{given[i]}' is not a result column; use {string.Join(",", Columns)}.");
                    return;
                }
                if (header.IndexOf(header[i]) != i)
                {
                    Broken("row 1", $"Column '{header[i]}' appears twice.");
                    return;
                }
            }
            var missing = RequiredColumns.Where(c => !header.Contains(c)).ToList();
            if (missing.Count > 0)
            {
                Broken("row 1", $"The header lacks the column{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)}.");
                return;
            }
            _columns = header.Count;
            (_plan, _case, _initiator, _responder, _verdict, _notes, _issue) = (header.IndexOf("plan"), header.IndexOf("case"),
                header.IndexOf("initiator"), header.IndexOf("responder"), header.IndexOf("verdict"), header.IndexOf("notes"),
                header.IndexOf("issue"));
        }

        public override int Estimate { get; }

        public override string Locate(Row row) => $"row {row.Number}";

        private void Broken(string location, string error) => (ErrorLocation, Error) = (location, error);

        public override bool Read(List<Row> into, int max)
        {
            var added = 0;
            while (Error is null && added < max && _reader.Next())
            {
                if (_reader.Broken is { } broken)
                {
                    Broken($"row {_reader.Row}", broken);
                    break;
                }
                if (_reader.IsBlank) continue;
                if (_reader.Count != _columns)
                {
                    Broken($"row {_reader.Row}", $"The row has {_reader.Count} fields; the header has {_columns}.");
                    break;
                }
                into.Add(new Row(_reader.Row, new ResultInput
                {
                    Plan = Key(_plan), Case = Key(_case), Initiator = Key(_initiator), Responder = Key(_responder),
                    Verdict = Key(_verdict), Notes = _notes < 0 ? null : _reader.Field(_notes),
                    Issue = _issue < 0 ? null : _reader.Field(_issue),
                }));
                added++;
            }
            return added > 0;
        }

        private string Key(int field)
        {
            var span = _reader.Span(field);
            if (_keys.TryGetValue(span, out var known)) return known;
            var made = span.ToString();
            _keys[made] = made;
            return made;
        }
    }

    /// <summary>
    /// RFC 4180 records, one at a time: comma-separated, CRLF or LF, fields in double quotes may hold commas, line breaks
    /// and "". A field is kept as where it lies in the text (a string is made only when asked for one), unless it had
    /// "" to unescape. <see cref="Broken"/> says why reading stopped at a record.
    /// </summary>
    private sealed class CsvReader(string text)
    {
        private readonly record struct FieldAt(int Start, int Length, string? Unescaped);

        private readonly List<FieldAt> _fields = new(Columns.Count);
        private int _at = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        private int _nextRow = 1;

        public int Row { get; private set; }
        public string? Broken { get; private set; }
        public int Count => _fields.Count;
        public bool IsBlank => _fields.Count == 1 && _fields[0] is { Length: 0, Unescaped: null };

        public ReadOnlySpan<char> Span(int field) =>
            _fields[field] is { Unescaped: { } unescaped } ? unescaped : text.AsSpan(_fields[field].Start, _fields[field].Length);

        public string Field(int field) => _fields[field].Unescaped ?? text.Substring(_fields[field].Start, _fields[field].Length);

        /// <summary>Reads the next record; false at the end of the text or after a broken record.</summary>
        public bool Next()
        {
            var n = text.Length;
            if (_at >= n || Broken is not null) return false;
            _fields.Clear();
            Row = _nextRow++;
            var i = _at;
            while (true)
            {
                if (i < n && text[i] == '"')
                {
                    var start = ++i;
                    StringBuilder? escaped = null;
                    while (true)
                    {
                        if (i >= n)
                        {
                            Broken = "A quoted field is not closed: a field that starts with \" ends with \".";
                            return true;
                        }
                        if (text[i] == '"')
                        {
                            if (i + 1 < n && text[i + 1] == '"')
                            {
                                (escaped ??= new StringBuilder()).Append(text, start, i - start + 1);
                                i += 2;
                                start = i;
                                continue;
                            }
                            break;
                        }
                        i++;
                    }
                    _fields.Add(escaped is null
                        ? new FieldAt(start, i - start, null)
                        : new FieldAt(0, 0, escaped.Append(text, start, i - start).ToString()));
                    i++;
                    if (i < n && text[i] is not (',' or '\r' or '\n'))
                    {
                        Broken = "Text follows a closing quote; a quote inside a quoted field is written \"\".";
                        return true;
                    }
                }
                else
                {
                    var start = i;
                    var rest = text.AsSpan(i).IndexOfAny(',', '\r', '\n');
                    i = rest < 0 ? n : i + rest;
                    _fields.Add(new FieldAt(start, i - start, null));
                }
                if (i < n && text[i] == ',')
                {
                    i++;
                    continue;
                }
                break;
            }
            if (i < n && text[i] == '\r') i++;
            if (i < n && text[i] == '\n') i++;
            _at = i;
            return true;
        }
    }

    private sealed class JsonRows : Rows
    {
        private readonly List<ResultInput?> _items = [];
        private int _next;

        public JsonRows(ReadOnlySpan<byte> utf8)
        {
            try
            {
                if (JsonSerializer.Deserialize<List<ResultInput?>>(utf8, JsonSerializerOptions.Web) is { } items) _items = items;
                else (ErrorLocation, Error) = ("$", "The body is null; send a JSON array of results.");
            }
            catch (JsonException e)
            {
                (ErrorLocation, Error) = (e.Path ?? "$", $"The JSON cannot be read: {e.Message}");
            }
        }

        public override int Estimate => _items.Count;

        public override string Locate(Row row) => $"[{row.Number}]";

        public override bool Read(List<Row> into, int max)
        {
            var start = _next;
            for (; _next < _items.Count && _next - start < max; _next++) into.Add(new Row(_next, _items[_next] ?? new ResultInput()));
            return _next > start;
        }
    }

    /// <summary>Rows checked and written at a time: as many as the writer stages before moving them into results.</summary>
    private const int ChunkRows = VerdictWriter.MaxStaged;

    /// <summary>A chunk of checked rows; <see cref="Clean"/> when none was refused, and only then are its cells all set.</summary>
    private sealed record Chunk(CellWrite?[] Cells, bool Clean);

    /// <summary>
    /// Checks every row and writes them (rows of one cell in file order), or says why none can be kept. The caller owns the transaction,
    /// which must be the one <paramref name="planning"/> was loaded in, and commits it only when the outcome has a
    /// summary (otherwise rows written before the first bad one are in it).
    /// </summary>
    public static Outcome Apply(SqliteConnection connection, SqliteTransaction transaction, EventPlanning planning, Caller caller,
        Rows rows, string at)
    {
        var errors = new Dictionary<string, string[]>();
        var bad = 0; // both written by the checking thread only, and read once it has ended
        using var stop = new CancellationTokenSource();
        using var chunks = new BlockingCollection<Chunk>(boundedCapacity: 4);
        var checking = Task.Run(() =>
        {
            try
            {
                var read = new List<Row>(ChunkRows);
                while (rows.Read(read, ChunkRows))
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
                        if (++bad <= MaxListedErrors)
                            errors[rows.Locate(read[r])] = check.Forbidden is { } forbidden
                                ? [forbidden]
                                : check.Errors.Select(e => $"{e.Key}: {e.Value}").ToArray();
                    }
                    // In cell order, so that the writer fills the results' indexes from one end of each run rather than
                    // all over; rows of one cell keep their file order (the row breaks ties), so that they become
                    // revisions in that order.
                    if (clean) SortByCell(cells);
                    chunks.Add(new Chunk(cells, clean), stop.Token);
                    read.Clear();
                }
            }
            finally
            {
                chunks.CompleteAdding();
            }
        });

        int total = 0, created = 0, revised = 0;
        try
        {
            using var writer = new VerdictWriter(connection, transaction);
            writer.BeginBulk(planning.Event.Id, rows.Estimate,
                preload: Tallies.Results(connection, transaction, planning.Event.Id) <= 2L * rows.Estimate);
            var writing = true;
            foreach (var chunk in chunks.GetConsumingEnumerable())
            {
                total += chunk.Cells.Length;
                writing &= chunk.Clean;
                if (!writing) continue; // nothing of this file will be kept: the rest is only checked, for the answer
                foreach (var cell in chunk.Cells)
                {
                    if (writer.Record(cell!.ToWrite(planning.Event.Id, caller.TokenId, at)).Revision == 1) created++;
                    else revised++;
                }
            }
            checking.GetAwaiter().GetResult();
            if (rows.Error is not null) return new Outcome(null, errors, 0, total, rows.Error, rows.ErrorLocation);
            if (bad > 0) return new Outcome(null, errors, bad, total);
            if (total == 0) return new Outcome(null, errors, 0, 0, "The file has no result rows.", "body");
            writer.Flush();
            return new Outcome(new Summary(total, created, revised), errors, 0, total);
        }
        finally
        {
            // A write that failed leaves the checking thread nobody to hand chunks to: stop it before leaving.
            stop.Cancel();
            try
            {
                checking.Wait();
            }
            catch (AggregateException)
            {
                // Cancelled here, or failed and already thrown by GetResult above.
            }
        }
    }

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
