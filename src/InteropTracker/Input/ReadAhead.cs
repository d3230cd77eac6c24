using System.Threading.Channels;

namespace InteropTracker.Input;

/// <summary>
/// Chunks read on a thread of their own while the caller works on the ones before, at most <c>capacity</c> ahead:
/// reading and the work on what was read keep two cores busy, and memory holds a few chunks, never the whole input.
/// A failure of the reading reaches the caller when it asks for the chunk after the last one read; disposing stops the
/// reading and waits until it has let go of what it reads from (a connection, a stream).
/// </summary>
public sealed class ReadAhead<T> : IAsyncDisposable, IDisposable
{
    private readonly Channel<T> _chunks;
    private readonly CancellationTokenSource _stop;
    private readonly Task _reading;

    /// <param name="read">Reads the chunks, handing each over as it is ready (waiting while <paramref name="capacity"/> are unclaimed).</param>
    public ReadAhead(int capacity, Func<Func<T, ValueTask>, CancellationToken, Task> read, CancellationToken ct = default)
    {
        _chunks = Channel.CreateBounded<T>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true });
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var stop = _stop.Token;
        _reading = Task.Run(async () =>
        {
            try
            {
                await read(chunk => _chunks.Writer.WriteAsync(chunk, stop), stop);
                _chunks.Writer.Complete();
            }
            catch (Exception e)
            {
                _chunks.Writer.Complete(e);
            }
        }, CancellationToken.None);
    }

    public IAsyncEnumerable<T> ReadAllAsync(CancellationToken ct = default) => _chunks.Reader.ReadAllAsync(ct);

    /// <summary>The chunks, for a caller that works on one thread (it waits there for the next chunk).</summary>
    public IEnumerable<T> ReadAll()
    {
        while (_chunks.Reader.WaitToReadAsync().AsTask().GetAwaiter().GetResult())
            while (_chunks.Reader.TryRead(out var chunk))
                yield return chunk;
    }

    /// <summary>Whether a chunk follows those taken so far, waiting for the reading to say.</summary>
    public ValueTask<bool> MoreAsync(CancellationToken ct = default) => _chunks.Reader.WaitToReadAsync(ct);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading;
        _stop.Dispose();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _reading.GetAwaiter().GetResult();
        _stop.Dispose();
    }
}
