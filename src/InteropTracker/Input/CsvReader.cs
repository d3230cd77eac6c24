using System.Text;

namespace InteropTracker.Input;

/// <summary>
/// RFC 4180 records, one at a time, from a text read a buffer at a time: comma-separated, CRLF or LF, fields in
/// double quotes may hold commas, line breaks and "". A field is kept as where it lies in the buffer (a string is made
/// only when asked for one), unless it had "" to unescape; a record that reaches the end of the buffer is read again
/// once more text is in. <see cref="Broken"/> says why reading stopped at a record.
/// </summary>
internal sealed class CsvReader(TextReader source)
{
    private readonly record struct FieldAt(int Start, int Length, string? Unescaped);

    /// <summary>What one try at the next record found.</summary>
    private enum Step { Record, End, NeedMore }

    /// <summary>The longest record read, in characters: a record is held whole while it is read.</summary>
    private const int MaxRecordChars = 1024 * 1024;

    private readonly List<FieldAt> _fields = new(8);
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
