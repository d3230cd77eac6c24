using System.Buffers;
using System.Text.Unicode;

namespace InteropTracker.Input;

/// <summary>
/// The text of an uploaded file, decoded as it is read: UTF-8 only (a leading byte-order mark is dropped), and the first
/// byte that is not UTF-8 stops the reading with <see cref="NotUtf8Exception"/>, naming that byte's offset and line,
/// rather than becoming a replacement character in the data. The stream stays the caller's (it is not disposed here).
/// </summary>
public sealed class StrictUtf8(Stream bytes) : TextReader
{
    private static readonly byte[] ByteOrderMark = [0xEF, 0xBB, 0xBF];

    private readonly byte[] _buffer = new byte[64 * 1024];
    private int _start, _end;
    private bool _ended, _started;
    private long _offset; // of _buffer[_start] in the file
    private int _line = 1; // of _buffer[_start]

    /// <summary>The whole of <paramref name="content"/> as text.</summary>
    /// <exception cref="NotUtf8Exception">A byte of it is not UTF-8.</exception>
    public static string Decode(byte[] content)
    {
        return new StrictUtf8(new MemoryStream(content, writable: false)).ReadToEnd();
    }

    public override int Read(Span<char> chars)
    {
        while (true)
        {
            if (TryDecode(chars, out var written)) return written;
            var room = Compact();
            Filled(bytes.Read(_buffer, _end, room));
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<char> chars, CancellationToken ct = default)
    {
        while (true)
        {
            if (TryDecode(chars.Span, out var written)) return written;
            var room = Compact();
            Filled(await bytes.ReadAsync(_buffer.AsMemory(_end, room), ct));
        }
    }

    public override int Read(char[] buffer, int index, int count) => Read(buffer.AsSpan(index, count));

    public override Task<int> ReadAsync(char[] buffer, int index, int count) => ReadAsync(buffer.AsMemory(index, count)).AsTask();

    /// <returns>True when <paramref name="written"/> is the answer (0 only at the end); false when more bytes are needed.</returns>
    private bool TryDecode(Span<char> chars, out int written)
    {
        written = 0;
        if (!_started)
        {
            if (_end - _start < ByteOrderMark.Length && !_ended) return false;
            _started = true;
            if (_buffer.AsSpan(_start, _end - _start).StartsWith(ByteOrderMark)) Consume(ByteOrderMark.Length);
        }
        if (chars.IsEmpty) return true;
        var status = Utf8.ToUtf16(_buffer.AsSpan(_start, _end - _start), chars, out var read, out written,
            replaceInvalidSequences: false, isFinalBlock: _ended);
        Consume(read);
        if (written > 0) return true;
        if (status == OperationStatus.InvalidData) throw new NotUtf8Exception(_offset, _line, _buffer[_start]);
        if (status == OperationStatus.DestinationTooSmall)
            throw new ArgumentException("Text is read into at least two characters at a time.", nameof(chars));
        return _ended; // Done with nothing left, or NeedMoreData that only more bytes can finish
    }

    private void Consume(int read)
    {
        _line += _buffer.AsSpan(_start, read).Count((byte)'\n');
        _offset += read;
        _start += read;
    }

    /// <returns>Room at the end of the buffer, once what is left to decode is moved to its start.</returns>
    private int Compact()
    {
        _buffer.AsSpan(_start, _end - _start).CopyTo(_buffer);
        (_end, _start) = (_end - _start, 0);
        return _buffer.Length - _end;
    }

    private void Filled(int read)
    {
        if (read == 0) _ended = true;
        _end += read;
    }
}

/// <summary>A file's byte that is not UTF-8: where it is, and what a person does about it.</summary>
public sealed class NotUtf8Exception(long offset, int line, byte value) : IOException(
    $"Byte {offset} (0x{value:X2}) on line {line} is not UTF-8: save the file as UTF-8 (Excel: \"CSV UTF-8\"; " +
    "editors: \"Encoding: UTF-8\") and load it again.")
{
    public long Offset => offset;
    public int Line => line;

    /// <summary>Where the byte is, as an error's location names it.</summary>
    public string Location => $"line {line}";
}
