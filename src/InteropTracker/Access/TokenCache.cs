using System.Collections.Concurrent;
using InteropTracker.Storage;

namespace InteropTracker.Access;

/// <summary>
/// Callers by token hash, so that a request does not read the tokens table each time. A token revoked through this
/// process is forgotten at once (<see cref="Forget"/>); an entry lives at most <see cref="Lifetime"/>, which bounds how
/// long a revocation made by another instance on the same database takes to reach this one.
/// </summary>
public sealed class TokenCache(Database database)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private const int MaxEntries = 10_000;

    private readonly record struct Entry(Caller Caller, long ExpiresAt);

    private readonly ConcurrentDictionary<string, Entry> _byHash = new(StringComparer.Ordinal);

    // Bumped by every revocation: a lookup that read the database before a revocation must not store what it read.
    private long _generation;

    public async Task<Caller?> FindAsync(string token, CancellationToken ct)
    {
        var hash = Tokens.Hash(token);
        if (_byHash.TryGetValue(hash, out var entry) && entry.ExpiresAt > Environment.TickCount64) return entry.Caller;

        var generation = Interlocked.Read(ref _generation);
        Caller? caller;
        await using (var connection = await database.OpenAsync(ct))
            caller = await Tokens.FindAsync(connection, token);
        if (caller is null)
        {
            _byHash.TryRemove(hash, out _);
            return null;
        }
        if (_byHash.Count >= MaxEntries) _byHash.Clear();
        _byHash[hash] = new Entry(caller, Environment.TickCount64 + (long)Lifetime.TotalMilliseconds);
        if (Interlocked.Read(ref _generation) != generation) _byHash.TryRemove(hash, out _);
        return caller;
    }

    /// <summary>Forgets a token, after its revocation is committed: its next request reads the tokens table again.</summary>
    public void Forget(long tokenId)
    {
        Interlocked.Increment(ref _generation);
        foreach (var (hash, entry) in _byHash)
            if (entry.Caller.TokenId == tokenId) _byHash.TryRemove(hash, out _);
    }
}
