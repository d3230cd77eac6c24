using System.Text;
using nietras.SeparatedValues;

namespace InteropTracker.Input;

/// <summary>
/// RFC 4180 records, one at a time, from a text read a buffer at a time: comma-separated, CRLF or LF, fields in double
/// quotes may hold commas, line breaks and "". Strict about quotes, so that a slip in a file is refused at its record
/// rather than read as other values: a quote inside an unquoted value, text after a closing quote and a quote never
/// closed each break the record (<see cref="Broken"/>). Records are split by Sep; a field is kept as where it lies in
/// Sep's buffer (a string is made only when asked for one) unless it had "" to unescape.
/// </summary>
public sealed class CsvReader(TextReader source, int maxRecordChars = CsvReader.MaxRecordChars)
{
    /// <summary>The longest record read by default, in characters: a record is held whole while it is read.</summary>
    public const int MaxRecordChars = 1024 * 1024;

    private static readonly SepReaderOptions Options = Sep.New(',').Reader() with { HasHeader = false, DisableColCountCheck = true };

    private readonly RecordLimit _text = new(source, maxRecordChars);
    private SepReader? _sep;
    private readonly List<(int Trim, string? Unescaped)> _fields = new(8);

    /// <summary>The record read last, or being read: 1 for the first (a header).</summary>
    public int Row { get; private set; }

    /// <summary>Why the record <see cref="Row"/> cannot be read; reading stops there.</summary>
    public string? Broken { get; private set; }

    public int Count => _fields.Count;
    public bool IsBlank => _fields.Count == 1 && Span(0).IsEmpty && _fields[0] is { Trim: 0 };

    public ReadOnlySpan<char> Span(int field)
    {
        var (trim, unescaped) = _fields[field];
        if (unescaped is not null) return unescaped;
        var raw = _sep!.Current[field].Span;
        return raw[trim..(raw.Length - trim)];
    }

    public string Field(int field) => _fields[field].Unescaped ?? Span(field).ToString();

    /// <summary>Reads the next record; false at the end of the text or after a broken record (then see <see cref="Broken"/>).</summary>
    public async ValueTask<bool> NextAsync(CancellationToken ct)
    {
        if (Broken is not null) return false;
        Row++;
        _text.StartRecord();
        try
        {
            _sep ??= await Options.FromAsync(_text, ct);
            return Take(await _sep.MoveNextAsync(ct));
        }
        catch (RecordTooLongException)
        {
            return TooLong();
        }
    }

    /// <inheritdoc cref="NextAsync"/>
    public bool Next()
    {
        if (Broken is not null) return false;
        Row++;
        _text.StartRecord();
        try
        {
            _sep ??= Options.From(_text);
            return Take(_sep.MoveNext());
        }
        catch (RecordTooLongException)
        {
            return TooLong();
        }
    }

    private bool TooLong()
    {
        _fields.Clear();
        Broken = $"The record is longer than {_text.Max:N0} characters; is a quote left open?";
        return true;
    }

    /// <summary>Checks the quotes of the record Sep found, and notes where each field's value lies.</summary>
    private bool Take(bool found)
    {
        _fields.Clear();
        if (!found) return false;
        var row = _sep!.Current;
        for (var f = 0; f < row.ColCount; f++)
        {
            var raw = row[f].Span;
            if (raw.IsEmpty || raw[0] != '"')
            {
                if (raw.Contains('"'))
                {
                    Broken = $"A quote is inside an unquoted value in column {f + 1}; enclose the value in quotes and write the quote twice (\"\").";
                    return true;
                }
                _fields.Add((0, null));
                continue;
            }
            StringBuilder? escaped = null;
            var at = 1;
            while (true)
            {
                var quote = raw[at..].IndexOf('"');
                if (quote < 0)
                {
                    Broken = $"A quoted field in column {f + 1} is never closed: a closing \" is missing.";
                    return true;
                }
                quote += at;
                if (quote + 1 < raw.Length && raw[quote + 1] == '"')
                {
                    (escaped ??= new StringBuilder()).Append(raw[at..(quote + 1)]);
                    at = quote + 2;
                    continue;
                }
                if (quote + 1 < raw.Length)
                {
                    Broken = $"Text follows a closing quote in column {f + 1}; a quote inside a quoted field is written twice (\"\").";
                    return true;
                }
                _fields.Add((1, escaped?.Append(raw[at..quote]).ToString()));
                break;
            }
        }
        return true;
    }

    /// <summary>
    /// The text as Sep reads it, refusing to hand over more than the longest record's worth while one record is read:
    /// otherwise a quote left open would have Sep hold the rest of the file.
    /// </summary>
    private sealed class RecordLimit(TextReader source, int max) : TextReader
    {
        private long _sinceRecord;

        public long Max => max;

        public void StartRecord() => _sinceRecord = 0;

        public override int Read(Span<char> buffer) => Counted(source.Read(buffer));

        public override async ValueTask<int> ReadAsync(Memory<char> buffer, CancellationToken ct = default) =>
            Counted(await source.ReadAsync(buffer, ct));

        public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

        public override Task<int> ReadAsync(char[] buffer, int index, int count) => ReadAsync(buffer.AsMemory(index, count)).AsTask();

        // Sep reads ahead a buffer at a time, so a record is refused once what was read for it exceeds the limit by
        // more than a buffer that could have been read ahead of it.
        private int Counted(int read)
        {
            _sinceRecord += read;
            if (_sinceRecord > max + 64 * 1024) throw new RecordTooLongException();
            return read;
        }
    }

    private sealed class RecordTooLongException() : IOException("The record is too long.");
}
