using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using InteropTracker.Core;
using InteropTracker.Storage;
using System.Data.Common;

namespace InteropTracker.Access;

/// <summary>Bearer tokens: random, shown once, stored only as a SHA-256 hash, optionally with an expiry.</summary>
public static class Tokens
{
    private const string Prefix = "itk_";

    /// <summary>The variable the first admin token comes from, and the shortest token it may hold.</summary>
    public const string BootstrapVariable = "INTEROP_ADMIN_TOKEN";
    public const int BootstrapMinLength = 32;

    public static string NewSecret() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    internal static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>A stored timestamp (<see cref="Clock"/>'s text) as UTC.</summary>
    internal static DateTime? ParseTime(string? stored) =>
        stored is null ? null : DateTime.Parse(stored, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);

    internal sealed record CredentialRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Role { get; init; } = "";
        public long? OrganizationId { get; init; }
        public string? ExpiresAt { get; init; }
        public string? SessionExpiresAt { get; init; }

        public Credential ToCredential() => new(new Caller(Id, Name, Role, OrganizationId), ParseTime(ExpiresAt), ParseTime(SessionExpiresAt));
    }

    /// <summary>The token if it is stored and not revoked, expired or not (the caller says which it is).</summary>
    public static async Task<Credential?> FindAsync(DbConnection connection, string token)
    {
        const string sql = """
            SELECT id, name, role, organization_id AS OrganizationId, expires_at AS ExpiresAt
            FROM tokens WHERE hash = @hash AND revoked_at IS NULL
            """;
        var row = await connection.QuerySingleOrDefaultAsync<CredentialRow>(sql, new { hash = Hash(token) });
        return row?.ToCredential();
    }

    public static async Task<long> InsertAsync(DbConnection connection, string secret, string role, long? organizationId,
        string name, long? createdBy, DateTime? expiresAt = null, DbTransaction? transaction = null)
    {
        const string sql = """
            INSERT INTO tokens (name, role, organization_id, hash, created_at, created_by, expires_at)
            VALUES (@name, @role, @organizationId, @hash, @at, @createdBy, @expires)
            RETURNING id
            """;
        return await connection.ExecuteScalarAsync<long>(sql,
            new
            {
                name, role, organizationId, hash = Hash(secret), at = Clock.Now(), createdBy,
                expires = expiresAt is { } e ? Clock.Format(e) : null,
            }, transaction);
    }

    private sealed record StoredToken
    {
        public long Id { get; init; }
        public string Role { get; init; } = "";
        public string? RevokedAt { get; init; }
        public string? ExpiresAt { get; init; }
    }

    /// <summary>
    /// At start: with no active admin token, takes INTEROP_ADMIN_TOKEN or makes one and prints it once. A configured
    /// token that is already stored is never changed: an active admin one needs nothing; a revoked or expired one stays
    /// so (revoking is a deliberate act, often because the token leaked; a restart must not undo it), and when no other
    /// admin is left a new token is made and printed, as at a first start. Every case is logged.
    /// </summary>
    public static async Task EnsureFirstAdminAsync(Database database, IConfiguration configuration, ILogger logger)
    {
        var configured = configuration[BootstrapVariable]?.Trim();
        if (string.IsNullOrEmpty(configured)) configured = null;
        if (configured is { Length: < BootstrapMinLength })
            throw new InvalidOperationException(
                $"{BootstrapVariable} holds {configured.Length} characters; an admin token needs at least {BootstrapMinLength}, " +
                "and random ones (for example the output of `openssl rand -base64 33`). Set a longer one, or unset " +
                $"{BootstrapVariable} to have the server make a token and print it once.");

        await using var connection = await database.OpenAsync();
        // One write: of instances starting together on one database, the first makes the admin token and the others see it.
        await using var transaction = await connection.BeginWriteAsync();
        var now = Clock.Now();
        var admins = await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM tokens WHERE role = 'admin' AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > @now)",
            new { now }, transaction);
        var stored = configured is null ? null : await connection.QuerySingleOrDefaultAsync<StoredToken>(
            "SELECT id, role, revoked_at AS RevokedAt, expires_at AS ExpiresAt FROM tokens WHERE hash = @hash",
            new { hash = Hash(configured) }, transaction);

        if (stored is not null) LogStored(logger, stored, now);
        if (admins > 0)
        {
            if (configured is not null && stored is null)
                logger.LogInformation("{Variable} is not used: the database already has {Count} active admin token(s).", BootstrapVariable, admins);
            return;
        }

        if (configured is not null && stored is null)
        {
            await InsertAsync(connection, configured, Roles.Admin, null, "first admin", null, transaction: transaction);
            await transaction.CommitAsync();
            logger.LogInformation("Created the first admin token from {Variable}.", BootstrapVariable);
            return;
        }

        var secret = NewSecret();
        await InsertAsync(connection, secret, Roles.Admin, null, "first admin", null, transaction: transaction);
        await transaction.CommitAsync();
        // Printed once, on the console only: it is not stored anywhere in plaintext.
        Console.WriteLine($"InteropTracker: first admin token (shown once, keep it safe): {secret}");
        if (stored is null)
            logger.LogWarning("Created the first admin token; it was printed once on the console.");
        else
            logger.LogWarning("No admin token is active and {Variable} is token {Id}, which is not brought back: created a new admin " +
                "token instead and printed it once on the console. Set {Variable} to it, or unset the variable.",
                BootstrapVariable, stored.Id, BootstrapVariable);
    }

    private static void LogStored(ILogger logger, StoredToken stored, string now)
    {
        if (stored.RevokedAt is not null)
            logger.LogWarning("{Variable} is token {Id}, revoked at {RevokedAt}: it stays revoked and does not sign in.",
                BootstrapVariable, stored.Id, stored.RevokedAt);
        else if (stored.ExpiresAt is not null && string.CompareOrdinal(stored.ExpiresAt, now) <= 0)
            logger.LogWarning("{Variable} is token {Id}, expired at {ExpiresAt}: it stays expired and does not sign in.",
                BootstrapVariable, stored.Id, stored.ExpiresAt);
        else if (stored.Role != Roles.Admin)
            logger.LogWarning("{Variable} is token {Id}, a {Role} token: it is not made an admin.", BootstrapVariable, stored.Id, stored.Role);
        else
            logger.LogInformation("{Variable} is admin token {Id}, already stored and active: nothing to do.", BootstrapVariable, stored.Id);
    }
}

/// <summary>A token that is not revoked, or a sign-in session bound to one: who it is, and until when it holds.</summary>
public sealed record Credential(Caller Caller, DateTime? TokenExpiresAt, DateTime? SessionExpiresAt = null)
{
    /// <summary>Why the credential no longer holds at <paramref name="utcNow"/>; null while it holds.</summary>
    public string? Refusal(DateTime utcNow) =>
        TokenExpiresAt is { } token && token <= utcNow
            ? $"The token expired at {Clock.Format(token)}; ask an administrator for a new one."
        : SessionExpiresAt is { } session && session <= utcNow
            ? "The sign-in session has ended; sign in again with your token."
        : null;
}
