using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using InteropTracker.Access;
using InteropTracker.Engine;
using InteropTracker.Events;
using InteropTracker.Core;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Verdicts;

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
public static class VerdictImport
{
    /// <summary>The largest file accepted (a 100,000-row CSV with notes is about 15 MB).</summary>
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

    /// <summary>The longest CSV record read, in characters: a record is held whole while it is read.</summary>
    private const int MaxRecordChars = 1024 * 1024;

    public static readonly IReadOnlyList<string> Columns = ["plan", "case", "initiator", "responder", "verdict", "notes", "issue"];
    private static readonly IReadOnlyList<string> RequiredColumns = ["plan", "case", "initiator", "responder", "verdict"];

    /// <summary>A row of the file: its number, counted as its <see cref="Rows.Locate"/> says.</summary>
    public readonly record struct Row(int Number, ResultInput Input);

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

    /// <summary>
    /// Thrown by <see cref="Spool"/> when the body grows past <see cref="MaxBytes"/>, to stop the reading where it is.
    /// </summary>
    private sealed class BodyTooLarge() : IOException($"The body is larger than {MaxBytes / (1024 * 1024)} MB.");

    /// <summary>
    /// The rows of an upload, read a chunk at a time from a stream. What makes the whole file unreadable is in
    /// <see cref="Error"/>, at <see cref="ErrorLocation"/>: found when reading reaches it.
    /// </summary>
    public abstract class Rows
    {
        public string? Error { get; protected set; }
        public string? ErrorLocation { get; protected set; }

        /// <summary>The error is that the body is larger than <see cref="MaxBytes"/>.</summary>
        public bool TooLarge { get; protected set; }

        /// <summary>Where a row is, as an answer names it: "row 7" in a CSV (the header is row 1), "[6]" in JSON (from 0).</summary>
        public abstract string Locate(Row row);

        /// <summary>Adds up to <paramref name="max"/> rows; false when no row was left, or the file broke (see <see cref="Error"/>).</summary>
        public abstract ValueTask<bool> ReadAsync(List<Row> into, int max, CancellationToken ct);

        protected void Broken(string location, string error, bool tooLarge = false) =>
            (ErrorLocation, Error, TooLarge) = (location, error, tooLarge);

        protected void BodyTooLarge(string location) =>
            Broken(location, $"The file is larger than {MaxBytes / (1024 * 1024)} MB, the most an import reads; split it.", tooLarge: true);
    }

    /// <summary>The rows of a CSV body; the header is read here (see <see cref="Rows.Error"/>), the records as they are asked for.</summary>
    public static async Task<Rows> CsvAsync(Stream body, CancellationToken ct)
    {
        var rows = new CsvRows(body);
        await rows.ReadHeaderAsync(ct);
        return rows;
    }

    public static Rows Json(Stream body) => new JsonRows(body);

    /// <summary>
    /// Reads <paramref name="body"/> on into <paramref name="file"/> as it is read through, and refuses (with
    /// <see cref="BodyTooLarge"/>) to go past <see cref="MaxBytes"/>.
    /// </summary>
    public sealed class Spool(Stream body, Stream file) : Stream
    {
        private long _read;

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
        {
            var read = await body.ReadAsync(buffer, ct);
            _read += read;
            if (_read > MaxBytes) throw new BodyTooLarge();
            await file.WriteAsync(buffer[..read], ct);
            return read;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken ct) =>
            ReadAsync(buffer.AsMemory(offset, count), ct).AsTask();

        public override int Read(byte[] buffer, int offset, int count) =>
            throw new NotSupportedException("The body is read asynchronously.");

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class CsvRows(Stream body) : Rows
    {
        private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        private readonly CsvReader _reader = new(new StreamReader(body, StrictUtf8, detectEncodingFromByteOrderMarks: false,
            bufferSize: 64 * 1024, leaveOpen: true));
        private int _columns;
        private int _plan, _case, _initiator, _responder, _verdict, _notes, _issue;
        // Keys and verdicts repeat row after row: each distinct value is one string, found from the file's characters.
        private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _keys =
            new Dictionary<string, string>(StringComparer.Ordinal).GetAlternateLookup<ReadOnlySpan<char>>();

        public async Task ReadHeaderAsync(CancellationToken ct)
        {
            if (!await NextAsync(ct) || Error is not null) return;
            if (_reader.IsBlank)
            {
                Broken("row 1", $"The file has no header row; the first row names the columns: {string.Join(",", Columns)}.");
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

        public override string Locate(Row row) => $"row {row.Number}";

        /// <summary>The next record, or false at the end or when it is broken (then <see cref="Rows.Error"/> says why).</summary>
        private async ValueTask<bool> NextAsync(CancellationToken ct)
        {
            try
            {
                if (!await _reader.NextAsync(ct))
                {
                    if (_reader.Row == 1) Broken("row 1", $"The file has no header row; the first row names the columns: {string.Join(",", Columns)}.");
                    return false;
                }
            }
            catch (DecoderFallbackException)
            {
                Broken($"row {_reader.Row}", "The CSV is not UTF-8 text; save it as UTF-8.");
                return false;
            }
            catch (BodyTooLarge)
            {
                BodyTooLarge($"row {_reader.Row}");
                return false;
            }
            if (_reader.Broken is not { } broken) return true;
            Broken($"row {_reader.Row}", broken);
            return false;
        }

        public override async ValueTask<bool> ReadAsync(List<Row> into, int max, CancellationToken ct)
        {
            var added = 0;
            while (Error is null && added < max && await NextAsync(ct))
            {
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
    /// RFC 4180 records, one at a time, from a text read a buffer at a time: comma-separated, CRLF or LF, fields in
    /// double quotes may hold commas, line breaks and "". A field is kept as where it lies in the buffer (a string is made
    /// only when asked for one), unless it had "" to unescape; a record that reaches the end of the buffer is read again
    /// once more text is in. <see cref="Broken"/> says why reading stopped at a record.
    /// </summary>
    private sealed class CsvReader(TextReader source)
    {
        private readonly record struct FieldAt(int Start, int Length, string? Unescaped);

        /// <summary>What one try at the next record found.</summary>
        private enum Step { Record, End, NeedMore }

        private readonly List<FieldAt> _fields = new(Columns.Count);
        private char[] _text = new char[64 * 1024];
        private int _length;
        private int _at;
        private bool _ended;
        private bool _started;

        /// <summary>The record read last, or being read: 1 for the header.</summary>
        public int Row { get; private set; } = 1;
        public string? Broken { get; private set; }
        public int Count => _fields.Count;
        public bool IsBlank => _fields.Count == 1 && _fields[0] is { Length: 0, Unescaped: null };

        public ReadOnlySpan<char> Span(int field) =>
            _fields[field] is { Unescaped: { } unescaped } ? unescaped : _text.AsSpan(_fields[field].Start, _fields[field].Length);

        public string Field(int field) => _fields[field].Unescaped ?? new string(_text, _fields[field].Start, _fields[field].Length);

        /// <summary>Reads the next record; false at the end of the text or after a broken record.</summary>
        public async ValueTask<bool> NextAsync(CancellationToken ct)
        {
            if (Broken is not null) return false;
            if (_started) Row++;
            _started = true;
            while (true)
            {
                switch (TryNext())
                {
                    case Step.Record:
                        return true;
                    case Step.End:
                        return false;
                }
                if (_at == 0 && _length == _text.Length)
                {
                    if (_text.Length >= MaxRecordChars)
                    {
                        Broken = $"The record is longer than {MaxRecordChars:N0} characters; is a quote left open?";
                        return true;
                    }
                    Array.Resize(ref _text, _text.Length * 2);
                }
                else if (_at > 0)
                {
                    _text.AsSpan(_at, _length - _at).CopyTo(_text);
                    _length -= _at;
                    _at = 0;
                }
                var read = await source.ReadAsync(_text.AsMemory(_length), ct);
                if (read == 0) _ended = true;
                _length += read;
            }
        }

        private Step TryNext()
        {
            var text = _text;
            var n = _length;
            if (_at == 0 && Row == 1 && n > 0 && text[0] == '\uFEFF') _at = 1;
            if (_at >= n) return _ended ? Step.End : Step.NeedMore;
            _fields.Clear();
            var i = _at;
            while (true)
            {
                if (text[i] == '"')
                {
                    var start = ++i;
                    StringBuilder? escaped = null;
                    while (true)
                    {
                        if (i >= n)
                        {
                            if (!_ended) return Step.NeedMore;
                            Broken = "A quoted field is not closed: a field that starts with \" ends with \".";
                            return Step.Record;
                        }
                        if (text[i] == '"')
                        {
                            if (i + 1 >= n && !_ended) return Step.NeedMore;
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
                        return Step.Record;
                    }
                }
                else
                {
                    var start = i;
                    var rest = text.AsSpan(i, n - i).IndexOfAny(',', '\r', '\n');
                    if (rest < 0 && !_ended) return Step.NeedMore;
                    i = rest < 0 ? n : i + rest;
                    _fields.Add(new FieldAt(start, i - start, null));
                }
                if (i < n && text[i] == ',')
                {
                    i++;
                    // A record that ends in a comma has one more, empty field: read it when the text goes on.
                    if (i < n) continue;
                    if (!_ended) return Step.NeedMore;
                    _fields.Add(new FieldAt(i, 0, null));
                }
                break;
            }
            if (i < n && text[i] == '\r')
            {
                if (i + 1 >= n && !_ended) return Step.NeedMore;
                i++;
            }
            if (i < n && text[i] == '\n') i++;
            _at = i;
            return Step.Record;
        }
    }

    private sealed class JsonRows(Stream body) : Rows
    {
        private IAsyncEnumerator<ResultInput?>? _items;
        private int _next;

        public override string Locate(Row row) => $"[{row.Number}]";

        public override async ValueTask<bool> ReadAsync(List<Row> into, int max, CancellationToken ct)
        {
            _items ??= JsonSerializer.DeserializeAsyncEnumerable<ResultInput?>(body, JsonSerializerOptions.Web, ct).GetAsyncEnumerator(ct);
            var added = 0;
            try
            {
                while (Error is null && added < max && await _items.MoveNextAsync())
                {
                    into.Add(new Row(_next++, _items.Current ?? new ResultInput()));
                    added++;
                }
            }
            catch (JsonException e)
            {
                Broken(e.Path ?? "$", $"The JSON cannot be read: {e.Message}");
            }
            catch (BodyTooLarge)
            {
                BodyTooLarge($"[{_next}]");
            }
            return added > 0;
        }
    }

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
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var chunks = Channel.CreateBounded<List<Row>>(new BoundedChannelOptions(2) { SingleReader = true, SingleWriter = true });
        var reading = Task.Run(async () =>
        {
            try
            {
                while (true)
                {
                    var read = new List<Row>(ChunkRows);
                    if (!await rows.ReadAsync(read, ChunkRows, stop.Token)) break;
                    await chunks.Writer.WriteAsync(read, stop.Token);
                }
            }
            finally
            {
                chunks.Writer.Complete();
            }
        });

        var refusals = new Refusals();
        var total = 0;
        Outcome? refused = null;
        await foreach (var read in chunks.Reader.ReadAllAsync(ct))
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
                var readToEnd = !await chunks.Reader.WaitToReadAsync(ct) && rows.Error is null;
                refused = new Outcome(null, refusals.Errors, refusals.Bad, total, readToEnd);
                break;
            }
        }
        stop.Cancel();
        try
        {
            await reading;
        }
        catch (OperationCanceledException) when (refused is not null)
        {
            // Stopped here: the rest of the body is not read.
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
        using var stop = new CancellationTokenSource();
        using var chunks = new BlockingCollection<Chunk>(boundedCapacity: 4);
        var checking = Task.Run(async () =>
        {
            try
            {
                var read = new List<Row>(ChunkRows);
                var count = 0;
                while (await rows.ReadAsync(read, ChunkRows, stop.Token))
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
                    chunks.Add(chunk, stop.Token);
                    read.Clear();
                    if (chunk.Clean) continue;
                    // Nothing of this file will be kept: the answer only says whether rows came after this chunk.
                    readToEnd = rows.Error is null && !await rows.ReadAsync(read, 1, stop.Token);
                    break;
                }
            }
            finally
            {
                chunks.CompleteAdding();
            }
        });

        var total = 0;
        try
        {
            var writing = true;
            foreach (var chunk in chunks.GetConsumingEnumerable())
            {
                total += chunk.Cells.Length;
                writing &= chunk.Clean;
                if (!writing) continue;
                foreach (var cell in chunk.Cells)
                    import.Write(cell!.ToWrite(planning.Event.Id, caller.TokenId, at));
            }
            checking.GetAwaiter().GetResult();
            if (pastCap is not null) return PastCap(refusals, total, pastCap);
            if (refusals.Bad > 0) return new Outcome(null, refusals.Errors, refusals.Bad, total, readToEnd);
            if (rows.Error is not null) return new Outcome(null, refusals.Errors, 0, total, false, rows.Error, rows.ErrorLocation, rows.TooLarge);
            if (total == 0) return new Outcome(null, refusals.Errors, 0, 0, true, "The file has no result rows.", "body");
            return new Outcome(new Summary(total, import.Created, import.Revised), refusals.Errors, 0, total, true);
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
