using Dapper;
using InteropTracker.Core;
using InteropTracker.Storage;
using System.Data.Common;

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

    /// <summary>What ties the product across its versions and events (DESIGN.md, "Across events"); its key unless given.</summary>
    public string Line { get; init; } = "";
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
        public string Line { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Technologies { get; init; } = "[]";
        public string Capabilities { get; init; } = "[]";
        public string CreatedAt { get; init; } = "";

        public Product ToProduct() => new()
        {
            Key = Key, Organization = Organization, OrganizationName = OrganizationName, Name = Name, Version = Version,
            Line = Line, Kind = Kind, Technologies = Vocabulary.FromJson(Technologies), Capabilities = Vocabulary.FromJson(Capabilities),
            CreatedAt = CreatedAt,
        };
    }

    private const string SelectOrganizations = "SELECT o.key, o.name, o.created_at AS CreatedAt FROM organizations o";

    /// <summary>
    /// The products an engineer's organization (@organization) may read: its own, and those registered in an event it
    /// takes part in. No limit when @organization is null (the roles that read the whole catalogue).
    /// </summary>
    private const string VisibleProduct = """
        (@organization IS NULL OR p.organization_id = @organization OR p.id IN (
            SELECT pa.product_id FROM participants pa WHERE pa.event_id IN (
                SELECT mine.event_id FROM participants mine JOIN products own ON own.id = mine.product_id
                WHERE own.organization_id = @organization)))
        """;

    /// <summary>The organizations it may read: its own, and those of the products it may read.</summary>
    private const string VisibleOrganization = $"""
        (@organization IS NULL OR o.id = @organization OR o.id IN (SELECT p.organization_id FROM products p WHERE {VisibleProduct}))
        """;

    private const string SelectProducts = """
        SELECT p.key, o.key AS Organization, o.name AS OrganizationName, p.name, p.version, p.line, p.kind,
               p.technologies, p.capabilities, p.created_at AS CreatedAt
        FROM products p JOIN organizations o ON o.id = p.organization_id
        """;

    public static async Task<Organization> InsertOrganizationAsync(DbConnection connection, DbTransaction transaction,
        string key, string name, long createdBy)
    {
        const string sql = """
            INSERT INTO organizations (key, name, created_at, created_by) VALUES (@key, @name, @at, @createdBy)
            RETURNING key, name, created_at AS CreatedAt
            """;
        return await connection.QuerySingleAsync<Organization>(sql, new { key, name, at = Clock.Now(), createdBy }, transaction);
    }

    /// <summary>The organizations the caller may read (DESIGN.md, Access: an engineer not the whole catalogue).</summary>
    public static Task<IEnumerable<Organization>> ListOrganizationsAsync(DbConnection connection, Caller caller) =>
        connection.QueryAsync<Organization>($"{SelectOrganizations} WHERE {VisibleOrganization} ORDER BY o.key",
            new { organization = caller.LimitedTo });

    /// <summary>The organization if the caller may read it; one it may not is answered as one that does not exist.</summary>
    public static Task<Organization?> FindOrganizationAsync(DbConnection connection, string key, Caller caller) =>
        connection.QuerySingleOrDefaultAsync<Organization>($"{SelectOrganizations} WHERE o.key = @key AND {VisibleOrganization}",
            new { key, organization = caller.LimitedTo });

    public static Task<long?> FindOrganizationIdAsync(DbConnection connection, string key, DbTransaction? transaction = null) =>
        connection.QuerySingleOrDefaultAsync<long?>("SELECT id FROM organizations WHERE key = @key", new { key }, transaction);

    public static async Task<Product> InsertProductAsync(DbConnection connection, DbTransaction transaction,
        long organizationId, string key, string name, string version, string line, string kind,
        IReadOnlyList<string> technologies, IReadOnlyList<string> capabilities, long createdBy)
    {
        const string sql = """
            INSERT INTO products (key, organization_id, name, version, line, kind, technologies, capabilities, created_at, created_by)
            VALUES (@key, @organizationId, @name, @version, @line, @kind, @technologies, @capabilities, @at, @createdBy)
            """;
        await connection.ExecuteAsync(sql, new
        {
            key, organizationId, name, version, line, kind,
            technologies = Vocabulary.ToJson(technologies), capabilities = Vocabulary.ToJson(capabilities),
            at = Clock.Now(), createdBy,
        }, transaction);
        var row = await connection.QuerySingleAsync<ProductRow>($"{SelectProducts} WHERE p.key = @key", new { key }, transaction);
        return row.ToProduct();
    }

    /// <summary>The products the caller may read, all or one organization's.</summary>
    public static async Task<IReadOnlyList<Product>> ListProductsAsync(DbConnection connection, string? ofOrganization, Caller caller)
    {
        var rows = await connection.QueryAsync<ProductRow>(
            $"{SelectProducts} WHERE (@ofOrganization IS NULL OR o.key = @ofOrganization) AND {VisibleProduct} ORDER BY p.key",
            new { ofOrganization, organization = caller.LimitedTo });
        return rows.Select(r => r.ToProduct()).ToList();
    }

    /// <summary>The product if the caller may read it; one it may not is answered as one that does not exist.</summary>
    public static async Task<Product?> FindProductAsync(DbConnection connection, string key, Caller caller)
    {
        var row = await connection.QuerySingleOrDefaultAsync<ProductRow>($"{SelectProducts} WHERE p.key = @key AND {VisibleProduct}",
            new { key, organization = caller.LimitedTo });
        return row?.ToProduct();
    }

    /// <summary>
    /// Technologies spelled as the loaded test plans spell them ("webrtc" becomes "WebRTC" once a WebRTC plan is
    /// loaded), so that lists and reports show one spelling; planning compares them case-insensitively anyway.
    /// Duplicates (in any case) are dropped, the first spelling given kept.
    /// </summary>
    public static async Task<IReadOnlyList<string>> NormaliseTechnologiesAsync(DbConnection connection,
        IEnumerable<string> technologies, DbTransaction? transaction = null)
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

    private sealed record TagRow
    {
        public string Requires { get; init; } = "[]";
        public string Initiator { get; init; } = "[]";
        public string Responder { get; init; } = "[]";
    }

    /// <summary>Every capability tag a loaded test plan's case uses (requires, initiator, responder), each once, in order.</summary>
    public static async Task<IReadOnlyList<string>> KnownTagsAsync(DbConnection connection, DbTransaction? transaction = null)
    {
        var rows = await connection.QueryAsync<TagRow>("SELECT DISTINCT requires, initiator, responder FROM test_cases",
            transaction: transaction);
        return CapabilityTags.UsedBy(rows.Select(r => (
            (IEnumerable<string>)Vocabulary.FromJson(r.Requires), (IEnumerable<string>)Vocabulary.FromJson(r.Initiator),
            (IEnumerable<string>)Vocabulary.FromJson(r.Responder))));
    }
}
