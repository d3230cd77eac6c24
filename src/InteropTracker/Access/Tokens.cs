using System.Security.Cryptography;
using System.Text;
using Dapper;
using InteropTracker.Storage;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Access;

/// <summary>Bearer tokens: random, shown once, stored only as a SHA-256 hash.</summary>
public static class Tokens
{
    private const string Prefix = "itk_";

    public static string NewSecret() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    public sealed record TokenRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Role { get; init; } = "";
        public long? OrganizationId { get; init; }
    }

    public static async Task<Caller?> FindAsync(SqliteConnection connection, string token)
    {
        const string sql = """
            SELECT id, name, role, organization_id AS OrganizationId
            FROM tokens WHERE hash = @hash AND revoked_at IS NULL
            """;
        var row = await connection.QuerySingleOrDefaultAsync<TokenRow>(sql, new { hash = Hash(token) });
        return row is null ? null : new Caller(row.Id, row.Name, row.Role, row.OrganizationId);
    }

    public static async Task<long> InsertAsync(SqliteConnection connection, string secret, string role, long? organizationId,
        string name, long? createdBy, SqliteTransaction? transaction = null)
    {
        const string sql = """
            INSERT INTO tokens (name, role, organization_id, hash, created_at, created_by)
            VALUES (@name, @role, @organizationId, @hash, @at, @createdBy)
            RETURNING id
            """;
        return await connection.ExecuteScalarAsync<long>(sql,
            new { name, role, organizationId, hash = Hash(secret), at = Clock.Now(), createdBy }, transaction);
    }

    /// <summary>
    /// At first start, with no admin token, takes INTEROP_ADMIN_TOKEN or makes one and prints it once.
    /// </summary>
    public static async Task EnsureFirstAdminAsync(Database database, IConfiguration configuration, ILogger logger)
    {
        await using var connection = await database.OpenAsync();
        var admins = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM tokens WHERE role = 'admin' AND revoked_at IS NULL");
        if (admins > 0) return;

        var configured = configuration["INTEROP_ADMIN_TOKEN"];
        var secret = string.IsNullOrWhiteSpace(configured) ? NewSecret() : configured.Trim();
        await InsertAsync(connection, secret, Roles.Admin, null, "first admin", null);
        if (string.IsNullOrWhiteSpace(configured))
        {
            // Printed once, on the console only: it is not stored anywhere in plaintext.
            Console.WriteLine($"InteropTracker: first admin token (shown once, keep it safe): {secret}");
            logger.LogWarning("Created the first admin token; it was printed once on the console.");
        }
        else
        {
            logger.LogInformation("Created the first admin token from INTEROP_ADMIN_TOKEN.");
        }
    }
}
