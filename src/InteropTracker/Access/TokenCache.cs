using System.Collections.Concurrent;
using InteropTracker.Core;
using InteropTracker.Storage;
using System.Data.Common;

namespace InteropTracker.Access;

/// <summary>
/// Tokens and sign-in sessions by hash, so that a request does not read the database each time. A token revoked or a
/// session ended, through this instance or another on the same database, is a <see cref="Change.Credentials"/> heard
/// through the <see cref="ChangeFeed"/>, and everything held is forgotten: the next request reads the database again.
/// While the feed is not listening (its connection lost), nothing is served from here, since a change could go unheard.
/// An entry also lives at most <see cref="Lifetime"/>. An entry keeps its expiries, which never change once a token or
/// session is made, so an expired token or session is refused from here as well.
/// </summary>
public sealed class TokenCache
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);
    private const int MaxEntries = 10_000;
    private const string SessionKey = "session:";

    private readonly record struct Entry(Credential Credential, long CachedUntil);

    private readonly ConcurrentDictionary<string, Entry> _byHash = new(StringComparer.Ordinal);

    // Bumped by every change of credentials: a lookup that read the database before one must not store what it read.
    private long _generation;

    private readonly Database _database;
    private readonly ChangeFeed _changes;

    public TokenCache(Database database, ChangeFeed changes)
    {
        _database = database;
        _changes = changes;
        changes.Changed += change =>
        {
            if (change == Change.Credentials) ForgetAll();
        };
    }

    public Task<Credential?> FindAsync(string token, CancellationToken ct) =>
        FindAsync(Tokens.Hash(token), connection => Tokens.FindAsync(connection, token), ct);

    public Task<Credential?> FindSessionAsync(string session, CancellationToken ct) =>
        FindAsync(SessionKey + Tokens.Hash(session), connection => SignInSessions.FindAsync(connection, session), ct);

    private async Task<Credential?> FindAsync(string key, Func<DbConnection, Task<Credential?>> read, CancellationToken ct)
    {
        if (_changes.Listening && _byHash.TryGetValue(key, out var entry) && entry.CachedUntil > Environment.TickCount64)
            return entry.Credential;

        var generation = Interlocked.Read(ref _generation);
        Credential? credential;
        await using (var connection = await _database.OpenAsync(ct))
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

    private void ForgetAll()
    {
        Interlocked.Increment(ref _generation);
        _byHash.Clear();
    }
}
