using System.Text.Json;
using InteropTracker.Core;
using InteropTracker.Input;

namespace InteropTracker.EventResults;

// The reading half of the results import: the rows of a CSV or JSON body, read a chunk at a time.
public static partial class ResultImport
{
    public static readonly IReadOnlyList<string> Columns = ["plan", "case", "initiator", "responder", "verdict", "notes", "issue", "cause"];
    private static readonly IReadOnlyList<string> RequiredColumns = ["plan", "case", "initiator", "responder", "verdict"];

    /// <summary>A row of the file: its number, counted as its <see cref="Rows.Locate"/> says.</summary>
    public readonly record struct Row(int Number, ResultInput Input);

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
    /// The body read on into <paramref name="file"/> as it is read through; reading past <see cref="MaxBytes"/> throws
    /// <see cref="BodyTooLargeException"/>.
    /// </summary>
    public static Stream Spool(Stream body, Stream file) => new BoundedBody(body, MaxBytes, file);

    private sealed class CsvRows(Stream body) : Rows
    {
        private readonly CsvReader _reader = new(new StrictUtf8(body));
        private int _columns;
        private int _plan, _case, _initiator, _responder, _verdict, _notes, _issue, _cause;
        // The attr.<name> columns: each attribute's name and its column.
        private (string Name, int Column)[] _attributes = [];
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
                if (!Columns.Contains(header[i]) && !IsAttribute(header[i]))
                {
                    Broken("row 1", $"Column {i + 1} '{given[i]}' is not a result column; use {string.Join(",", Columns)} " +
                                    $"and {ResultAttributes.Prefix}<name> for each result attribute.");
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
            _cause = header.IndexOf("cause");
            _attributes = header.Select((name, i) => (name, i)).Where(h => IsAttribute(h.name))
                .Select(h => (given[h.i].Trim()[ResultAttributes.Prefix.Length..], h.i)).ToArray();
        }

        private static bool IsAttribute(string column) =>
            column.StartsWith(ResultAttributes.Prefix, StringComparison.Ordinal) && column.Length > ResultAttributes.Prefix.Length;

        /// <summary>The row's attribute cells that have a value; null when none has (most rows of most files).</summary>
        private Dictionary<string, string>? Attributes()
        {
            Dictionary<string, string>? attributes = null;
            foreach (var (name, column) in _attributes)
                if (!_reader.Span(column).IsWhiteSpace()) (attributes ??= new(StringComparer.Ordinal))[name] = Key(column);
            return attributes;
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
            catch (NotUtf8Exception e)
            {
                Broken(e.Location, e.Message);
                return false;
            }
            catch (BodyTooLargeException)
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
                    Issue = _issue < 0 ? null : _reader.Field(_issue), Cause = _cause < 0 ? null : Key(_cause),
                    Attributes = _attributes.Length == 0 ? null : Attributes(),
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
            catch (BodyTooLargeException)
            {
                BodyTooLarge($"[{_next}]");
            }
            return added > 0;
        }
    }
}
