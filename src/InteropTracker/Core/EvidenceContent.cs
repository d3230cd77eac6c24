using System.Text;
using System.Text.Json;

namespace InteropTracker.Core;

/// <summary>
/// The kinds of evidence file a result takes (DESIGN.md "Evidence, causes and attributes") and the check that a file's
/// content is what its extension says, fed a piece at a time as the file streams past, so that no file is ever held whole.
/// </summary>
public abstract class EvidenceContent
{
    public static readonly IReadOnlyList<string> Extensions = ["pcap", "pcapng", "log", "txt", "json", "png", "jpg", "jpeg"];

    /// <summary>The media type a download is sent as (always as an attachment, never shown inline).</summary>
    public static string MediaType(string extension) => extension switch
    {
        "pcap" => "application/vnd.tcpdump.pcap",
        "pcapng" => "application/octet-stream",
        "log" or "txt" => "text/plain; charset=utf-8",
        "json" => "application/json",
        "png" => "image/png",
        "jpg" or "jpeg" => "image/jpeg",
        _ => "application/octet-stream",
    };

    /// <summary>
    /// Why a file name cannot name evidence (a path, a control character, an extension not taken); null when it can.
    /// </summary>
    public static string? WhyNotName(string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return "The file has no name; send it as a file part with a file name.";
        if (name.IndexOfAny(['/', '\\']) >= 0 || name.Contains("..", StringComparison.Ordinal) || name.Contains(':'))
            return $"'{name}' is a path; send the file under its own name only, such as trace.pcap.";
        if (name.Any(char.IsControl)) return "The file name holds a control character.";
        if (name.Length > 200) return "The file name is longer than 200 characters.";
        var extension = ExtensionOf(name);
        if (extension is null || !Extensions.Contains(extension))
            return $"'{name}' is not a kind of evidence taken here; send {string.Join(", ", Extensions.Select(e => "." + e))} files.";
        return null;
    }

    /// <summary>The extension of a file name, lower case, without its dot; null when it has none.</summary>
    public static string? ExtensionOf(string name)
    {
        var dot = name.LastIndexOf('.');
        return dot <= 0 || dot == name.Length - 1 ? null : name[(dot + 1)..].ToLowerInvariant();
    }

    /// <summary>The check of a file of this extension (one of <see cref="Extensions"/>).</summary>
    public static EvidenceContent For(string extension) => extension switch
    {
        "pcap" => new Magic("a pcap capture", [[0xD4, 0xC3, 0xB2, 0xA1], [0xA1, 0xB2, 0xC3, 0xD4], [0x4D, 0x3C, 0xB2, 0xA1], [0xA1, 0xB2, 0x3C, 0x4D]]),
        // A pcapng file opens with a section header block: its type, then (at byte 8) the byte-order magic.
        "pcapng" => new Magic("a pcapng capture", [[0x0A, 0x0D, 0x0D, 0x0A]], [[0x1A, 0x2B, 0x3C, 0x4D], [0x4D, 0x3C, 0x2B, 0x1A]]),
        "png" => new Magic("a PNG image", [[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]]),
        "jpg" or "jpeg" => new Magic("a JPEG image", [[0xFF, 0xD8, 0xFF]]),
        "json" => new Json(),
        _ => new Text(),
    };

    /// <summary>Takes the next piece of the file.</summary>
    public abstract void Write(ReadOnlySpan<byte> piece);

    /// <summary>Why the whole file is not what its extension says; null when it is.</summary>
    public abstract string? Finish();

    private sealed class Magic(string what, byte[][] starts, byte[][]? at8 = null) : EvidenceContent
    {
        private readonly byte[] _head = new byte[12];
        private int _read;

        public override void Write(ReadOnlySpan<byte> piece)
        {
            var take = Math.Min(piece.Length, _head.Length - _read);
            piece[..take].CopyTo(_head.AsSpan(_read));
            _read += take;
        }

        public override string? Finish()
        {
            var head = _head[.._read];
            var ok = starts.Any(s => head.AsSpan().StartsWith(s)) &&
                     (at8 is null || (_read >= 12 && at8.Any(m => head.AsSpan(8, 4).SequenceEqual(m))));
            return ok ? null : $"The content is not {what}: it does not start as one does.";
        }
    }

    /// <summary>UTF-8 text: a log or a note.</summary>
    private class Text : EvidenceContent
    {
        private readonly Decoder _decoder = new UTF8Encoding(false, throwOnInvalidBytes: true).GetDecoder();
        private readonly char[] _chars = new char[16 * 1024];
        private long _offset;
        private string? _error;

        public override void Write(ReadOnlySpan<byte> piece)
        {
            if (_error is not null) return;
            try
            {
                while (!piece.IsEmpty)
                {
                    _decoder.Convert(piece, _chars, flush: false, out var used, out _, out _);
                    piece = piece[used..];
                    _offset += used;
                }
            }
            catch (DecoderFallbackException e)
            {
                _error = $"The content is not UTF-8 text: byte {_offset + Math.Max(0, e.Index) + 1} is not valid UTF-8.";
            }
        }

        public override string? Finish()
        {
            if (_error is null)
            {
                try
                {
                    _decoder.Convert([], _chars, flush: true, out _, out _, out _);
                }
                catch (DecoderFallbackException)
                {
                    _error = "The content is not UTF-8 text: it ends inside a character.";
                }
            }
            return _error;
        }
    }

    /// <summary>A JSON document, read token by token across the pieces (a token split between two is carried over).</summary>
    private sealed class Json : Text
    {
        private JsonReaderState _state = new(new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        private byte[] _carry = [];
        private long _consumed;
        private string? _jsonError;

        public override void Write(ReadOnlySpan<byte> piece)
        {
            base.Write(piece);
            if (_jsonError is null) Read(piece, final: false);
        }

        public override string? Finish()
        {
            if (base.Finish() is { } notText) return notText;
            if (_jsonError is null) Read([], final: true);
            return _jsonError;
        }

        private void Read(ReadOnlySpan<byte> piece, bool final)
        {
            var data = _carry.Length == 0 ? piece : [.. _carry, .. piece];
            var reader = new Utf8JsonReader(data, final, _state);
            try
            {
                while (reader.Read())
                {
                }
                if (final && reader.TokenType == JsonTokenType.None)
                    _jsonError = "The content is not JSON: the file holds no value.";
            }
            catch (JsonException e)
            {
                _jsonError = $"The content is not JSON: {e.Message.Split(" Path:")[0]} (near byte {_consumed + reader.BytesConsumed + 1}).";
                return;
            }
            _consumed += reader.BytesConsumed;
            _carry = data[(int)reader.BytesConsumed..].ToArray();
            _state = reader.CurrentState;
        }
    }
}
