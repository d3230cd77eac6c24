using Dapper;
using InteropTracker.Storage;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Vendors;

public sealed record Organization
{
    public string Key { get; init; } = "";
    public string Name { get; init; } = "";
    public string CreatedAt { get; init; } = "";
}

public sealed record Product
{
    public string Key { get; init; } = "";
    public string Organization { get; init; } = "";
    public string OrganizationName { get; init; } = "";
    public string Name { get; init; } = "";
    public string Version { get; init; } = "";
    public string Kind { get; init; } = "";
    public IReadOnlyList<string> Technologies { get; init; } = [];
    public IReadOnlyList<string> Capabilities { get; init; } = [];
    public string CreatedAt { get; init; } = "";
}

/// <summary>Organizations (vendors) and their products in the database.</summary>
public static class VendorStore
{
    public static readonly IReadOnlyList<string> Kinds =
        ["endpoint", "mcu", "gateway", "sbc", "browser", "client", "server", "library", "other"];

    private sealed record ProductRow
    {
        public string Key { get; init; } = "";
        public string Organization { get; init; } = "";
        public string OrganizationName { get; init; } = "";
        public string Name { get; init; } = "";
        public string Version { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Technologies { get; init; } = "[]";
        public string Capabilities { get; init; } = "[]";
        public string CreatedAt { get; init; } = "";

        public Product ToProduct() => new()
        {
            Key = Key, Organization = Organization, OrganizationName = OrganizationName, Name = Name, Version = Version,
            Kind = Kind, Technologies = Vocabulary.FromJson(Technologies), Capabilities = Vocabulary.FromJson(Capabilities),
            CreatedAt = CreatedAt,
        };
    }

    private const string SelectOrganizations = "SELECT key, name, created_at AS CreatedAt FROM organizations";

    private const string SelectProducts = """
        SELECT p.key, o.key AS Organization, o.name AS OrganizationName, p.name, p.version, p.kind,
               p.technologies, p.capabilities, p.created_at AS CreatedAt
        FROM products p JOIN organizations o ON o.id = p.organization_id
        """;

    public static async Task<Organization> InsertOrganizationAsync(SqliteConnection connection, SqliteTransaction transaction,
        string key, string name, long createdBy)
    {
        const string sql = """
            INSERT INTO organizations (key, name, created_at, created_by) VALUES (@key, @name, @at, @createdBy)
            RETURNING key, name, created_at AS CreatedAt
            """;
        return await connection.QuerySingleAsync<Organization>(sql, new { key, name, at = Clock.Now(), createdBy }, transaction);
    }

    public static Task<IEnumerable<Organization>> ListOrganizationsAsync(SqliteConnection connection) =>
        connection.QueryAsync<Organization>($"{SelectOrganizations} ORDER BY key");

    public static Task<Organization?> FindOrganizationAsync(SqliteConnection connection, string key) =>
        connection.QuerySingleOrDefaultAsync<Organization>($"{SelectOrganizations} WHERE key = @key", new { key });

    public static Task<long?> FindOrganizationIdAsync(SqliteConnection connection, string key, SqliteTransaction? transaction = null) =>
        connection.QuerySingleOrDefaultAsync<long?>("SELECT id FROM organizations WHERE key = @key", new { key }, transaction);

    public static async Task<Product> InsertProductAsync(SqliteConnection connection, SqliteTransaction transaction,
        long organizationId, string key, string name, string version, string kind,
        IReadOnlyList<string> technologies, IReadOnlyList<string> capabilities, long createdBy)
    {
        const string sql = """
            INSERT INTO products (key, organization_id, name, version, kind, technologies, capabilities, created_at, created_by)
            VALUES (@key, @organizationId, @name, @version, @kind, @technologies, @capabilities, @at, @createdBy)
            """;
        await connection.ExecuteAsync(sql, new
        {
            key, organizationId, name, version, kind,
            technologies = Vocabulary.ToJson(technologies), capabilities = Vocabulary.ToJson(capabilities),
            at = Clock.Now(), createdBy,
        }, transaction);
        return (await FindProductAsync(connection, key, transaction))!;
    }

    public static async Task<IReadOnlyList<Product>> ListProductsAsync(SqliteConnection connection, string? organization)
    {
        var rows = await connection.QueryAsync<ProductRow>(
            $"{SelectProducts} WHERE @organization IS NULL OR o.key = @organization ORDER BY p.key", new { organization });
        return rows.Select(r => r.ToProduct()).ToList();
    }

    public static async Task<Product?> FindProductAsync(SqliteConnection connection, string key, SqliteTransaction? transaction = null)
    {
        var row = await connection.QuerySingleOrDefaultAsync<ProductRow>($"{SelectProducts} WHERE p.key = @key", new { key }, transaction);
        return row?.ToProduct();
    }

    /// <summary>
    /// Technologies spelled as the loaded test plans spell them ("webrtc" becomes "WebRTC" once a WebRTC plan is
    /// loaded), so that lists and reports show one spelling; planning compares them case-insensitively anyway.
    /// Duplicates (in any case) are dropped, the first spelling given kept.
    /// </summary>
    public static async Task<IReadOnlyList<string>> NormaliseTechnologiesAsync(SqliteConnection connection,
        IEnumerable<string> technologies, SqliteTransaction? transaction = null)
    {
        var known = (await connection.QueryAsync<string>("SELECT DISTINCT technology FROM test_plans", transaction: transaction))
            .GroupBy(t => t, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.Min(StringComparer.Ordinal)!, StringComparer.OrdinalIgnoreCase);
        return technologies
            .Select(t => t.Trim())
            .Select(t => known.GetValueOrDefault(t, t))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .ToList();
    }
}
