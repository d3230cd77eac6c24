namespace InteropTracker.Input;

/// <summary>
/// A request body read through a hard limit, whatever the server in front enforces (a test server or a proxy may not
/// apply Kestrel's): reading past <paramref name="maxBytes"/> throws <see cref="BodyTooLargeException"/>, which stops
/// the reading where it is. What is read can be copied on to <paramref name="copy"/> (a temporary file) as it passes.
/// </summary>
public sealed class BoundedBody(Stream body, long maxBytes, Stream? copy = null) : Stream
{
    private long _read;

    /// <summary>The whole body, or null when it is larger than <paramref name="maxBytes"/>.</summary>
    public static async Task<byte[]?> ReadAllAsync(Stream body, long maxBytes, CancellationToken ct)
    {
        using var content = new MemoryStream();
        try
        {
            await new BoundedBody(body, maxBytes).CopyToAsync(content, ct);
        }
        catch (BodyTooLargeException)
        {
            return null;
        }
        return content.ToArray();
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken ct = default)
    {
        var read = await body.ReadAsync(buffer, ct);
        _read += read;
        if (_read > maxBytes) throw new BodyTooLargeException(maxBytes);
        if (copy is not null) await copy.WriteAsync(buffer[..read], ct);
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

/// <summary>Thrown by <see cref="BoundedBody"/> when the body grows past its limit.</summary>
public sealed class BodyTooLargeException(long maxBytes) : IOException($"The body is larger than {maxBytes} bytes.")
{
    public long MaxBytes => maxBytes;
}
