using System.Collections.Concurrent;
using InteropTracker.Core;
using InteropTracker.Storage;
using System.Data.Common;

namespace InteropTracker.Access;

/// <summary>
/// Tokens and sign-in sessions by hash, so that a request does not read the database each time. A token revoked or a
/// session ended through this process is forgotten at once (<see cref="Forget"/>, <see cref="ForgetSession"/>); an
/// entry lives at most <see cref="Lifetime"/>, which bounds how long a revocation made by another instance on the same
/// database takes to reach this one. An entry keeps its expiries, so an expired token is refused from here as well.
/// </summary>
public sealed class TokenCache(Database database)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private const int MaxEntries = 10_000;
    private const string SessionKey = "session:";

    private readonly record struct Entry(Credential Credential, long CachedUntil);

    private readonly ConcurrentDictionary<string, Entry> _byHash = new(StringComparer.Ordinal);

    // Bumped by every revocation: a lookup that read the database before a revocation must not store what it read.
    private long _generation;

    public Task<Credential?> FindAsync(string token, CancellationToken ct) =>
        FindAsync(Tokens.Hash(token), connection => Tokens.FindAsync(connection, token), ct);

    public Task<Credential?> FindSessionAsync(string session, CancellationToken ct) =>
        FindAsync(SessionKey + Tokens.Hash(session), connection => SignInSessions.FindAsync(connection, session), ct);

    private async Task<Credential?> FindAsync(string key, Func<DbConnection, Task<Credential?>> read, CancellationToken ct)
    {
        if (_byHash.TryGetValue(key, out var entry) && entry.CachedUntil > Environment.TickCount64) return entry.Credential;

        var generation = Interlocked.Read(ref _generation);
        Credential? credential;
        await using (var connection = await database.OpenAsync(ct))
            credential = await read(connection);
        if (credential is null)
        {
            _byHash.TryRemove(key, out _);
            return null;
        }
        if (_byHash.Count >= MaxEntries) _byHash.Clear();
        _byHash[key] = new Entry(credential, Environment.TickCount64 + (long)Lifetime.TotalMilliseconds);
        if (Interlocked.Read(ref _generation) != generation) _byHash.TryRemove(key, out _);
        return credential;
    }

    /// <summary>Forgets a token and its sessions, after its revocation is committed: the next request reads the database again.</summary>
    public void Forget(long tokenId)
    {
        Interlocked.Increment(ref _generation);
        foreach (var (key, entry) in _byHash)
            if (entry.Credential.Caller.TokenId == tokenId) _byHash.TryRemove(key, out _);
    }

    /// <summary>Forgets a sign-in session, after its end is committed.</summary>
    public void ForgetSession(string session)
    {
        Interlocked.Increment(ref _generation);
        _byHash.TryRemove(SessionKey + Tokens.Hash(session), out _);
    }
}
