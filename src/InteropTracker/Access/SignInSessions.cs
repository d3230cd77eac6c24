using System.Security.Cryptography;
using Dapper;
using InteropTracker.Storage;
using System.Data.Common;

namespace InteropTracker.Access;

/// <summary>
/// What the sign-in cookie carries instead of the token: the random id of a session bound to the token, stored only as
/// a hash. Signing out ends the session in the database, so a copy of the cookie taken before stops working too; a
/// session also ends with its token (revoked or expired) and after <see cref="Lifetime"/>.
/// </summary>
public static class SignInSessions
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(7);

    /// <summary>Starts a session for the token and returns its id, the cookie's value (shown to nobody else).</summary>
    public static async Task<(string Id, DateTime ExpiresAt)> StartAsync(DbConnection connection, long tokenId)
    {
        var id = Tokens.Base64Url(RandomNumberGenerator.GetBytes(32));
        var now = DateTime.UtcNow;
        var expiresAt = now + Lifetime;
        await connection.ExecuteAsync(
            "INSERT INTO sign_in_sessions (token_id, hash, created_at, expires_at) VALUES (@tokenId, @hash, @at, @expires)",
            new { tokenId, hash = Tokens.Hash(id), at = Clock.Format(now), expires = Clock.Format(expiresAt) });
        return (id, expiresAt);
    }

    /// <summary>The session and its token, unless signed out or the token revoked; expiries are for the caller to check.</summary>
    public static async Task<Credential?> FindAsync(DbConnection connection, string id)
    {
        const string sql = """
            SELECT t.id, t.name, t.role, t.organization_id AS OrganizationId, t.expires_at AS ExpiresAt,
                   s.expires_at AS SessionExpiresAt
            FROM sign_in_sessions s JOIN tokens t ON t.id = s.token_id
            WHERE s.hash = @hash AND s.ended_at IS NULL AND t.revoked_at IS NULL
            """;
        var row = await connection.QuerySingleOrDefaultAsync<Tokens.CredentialRow>(sql, new { hash = Tokens.Hash(id) });
        return row?.ToCredential();
    }

    /// <summary>Ends the session; every instance forgets the credentials it holds once this commits.</summary>
    public static async Task EndAsync(DbConnection connection, string id, ChangeFeed changes)
    {
        await using var transaction = await connection.BeginWriteAsync();
        var ended = await connection.ExecuteAsync("UPDATE sign_in_sessions SET ended_at = @at WHERE hash = @hash AND ended_at IS NULL",
            new { hash = Tokens.Hash(id), at = Clock.Now() }, transaction);
        if (ended == 0) return;
        await changes.CommitAsync(connection, transaction, Change.Credentials);
    }
}
