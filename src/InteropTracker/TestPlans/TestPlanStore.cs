using System.Text.Json;
using Dapper;
using InteropTracker.Core;
using InteropTracker.Storage;
using System.Data.Common;

namespace InteropTracker.TestPlans;

/// <summary>Test plans in the database: one immutable row per version, its cases beside it.</summary>
public static class TestPlanStore
{
    /// <summary>A stored version without its document: what a load answers and what the list shows.</summary>
    public sealed record TestPlanSummary
    {
        public string Plan { get; init; } = "";
        public string Version { get; init; } = "";
        public string Title { get; init; } = "";
        public string Technology { get; init; } = "";
        public string? Source { get; init; }
        public string ContentHash { get; init; } = "";
        public long Sections { get; init; }
        public long Cases { get; init; }
        public string LoadedAt { get; init; } = "";
        public long? LoadedBy { get; init; }
    }

    public sealed record DocumentRow
    {
        public string Version { get; init; } = "";
        public string ContentHash { get; init; } = "";
        public string Document { get; init; } = "";
        public string LoadedAt { get; init; } = "";
        public long? LoadedBy { get; init; }
    }

    public enum Outcome { Created, AlreadyLoaded, Conflict }

    public sealed record Saved(Outcome Outcome, TestPlanSummary Version);

    private const string SelectVersions = """
        SELECT p.plan, p.version, p.title, p.technology, p.source, p.content_hash AS ContentHash,
               (SELECT count(DISTINCT c.section) FROM test_cases c WHERE c.plan_id = p.id) AS Sections,
               (SELECT count(*) FROM test_cases c WHERE c.plan_id = p.id) AS Cases,
               p.created_at AS LoadedAt, p.created_by AS LoadedBy
        FROM test_plans p
        """;

    /// <summary>
    /// Stores a new version, or finds the same content already stored (loading twice is harmless), or reports that
    /// the plan and version exist with other content. The caller owns the transaction.
    /// </summary>
    public static async Task<Saved> SaveAsync(DbConnection connection, DbTransaction transaction,
        TestPlanDocument document, long? loadedBy)
    {
        var hash = document.ContentHash();
        var existing = await FindVersionAsync(connection, document.Plan, document.Version, transaction);
        if (existing is not null)
            return new Saved(existing.ContentHash == hash ? Outcome.AlreadyLoaded : Outcome.Conflict, existing);

        const string insertPlan = """
            INSERT INTO test_plans (plan, version, title, technology, source, content_hash, document, created_at, created_by,
                                    attributes)
            VALUES (@Plan, @Version, @Title, @Technology, @Source, @hash, @json, @at, @loadedBy, @attributes)
            RETURNING id
            """;
        var planId = await connection.ExecuteScalarAsync<long>(insertPlan, new
        {
            document.Plan, document.Version, document.Title, document.Technology, document.Source,
            hash, json = document.ToCanonicalJson(), at = Storage.Clock.Now(), loadedBy,
            attributes = ResultAttributes.DeclaredToJson(document.Attributes),
        }, transaction);

        const string insertCase = """
            INSERT INTO test_cases (plan_id, ordinal, section, section_title, case_key, title, priority, directional,
                                    requires, initiator, responder)
            VALUES (@planId, @ordinal, @section, @sectionTitle, @key, @title, @priority, @directional,
                    @requires, @initiator, @responder)
            """;
        var rows = document.Sections
            .SelectMany(s => s.Cases.Select(c => (Section: s, Case: c)))
            .Select((x, i) => new
            {
                planId, ordinal = i + 1, section = x.Section.Id, sectionTitle = x.Section.Title,
                key = x.Case.Id, title = x.Case.Title, priority = x.Case.Priority, directional = x.Case.Directional ? 1 : 0,
                requires = JsonSerializer.Serialize(x.Case.Requires),
                initiator = JsonSerializer.Serialize(x.Case.Initiator),
                responder = JsonSerializer.Serialize(x.Case.Responder),
            });
        await connection.ExecuteAsync(insertCase, rows, transaction);

        var created = await FindVersionAsync(connection, document.Plan, document.Version, transaction);
        return new Saved(Outcome.Created, created!);
    }

    public static Task<TestPlanSummary?> FindVersionAsync(DbConnection connection, string plan, string version,
        DbTransaction? transaction = null) =>
        connection.QuerySingleOrDefaultAsync<TestPlanSummary>(
            $"{SelectVersions} WHERE p.plan = @plan AND p.version = @version", new { plan, version }, transaction);

    /// <summary>Every version of every plan, each plan's versions in the order they were loaded.</summary>
    public static Task<IEnumerable<TestPlanSummary>> ListVersionsAsync(DbConnection connection) =>
        connection.QueryAsync<TestPlanSummary>($"{SelectVersions} ORDER BY p.plan, p.id");

    /// <summary>One version's whole document; with no version, the latest: the one loaded last.</summary>
    public static Task<DocumentRow?> FindDocumentAsync(DbConnection connection, string plan, string? version,
        DbTransaction? transaction = null)
    {
        const string sql = """
            SELECT version, content_hash AS ContentHash, document, created_at AS LoadedAt, created_by AS LoadedBy
            FROM test_plans
            WHERE plan = @plan AND (@version IS NULL OR version = @version)
            ORDER BY id DESC
            LIMIT 1
            """;
        return connection.QuerySingleOrDefaultAsync<DocumentRow>(sql, new { plan, version }, transaction);
    }

    public static async Task<bool> AnyAsync(DbConnection connection, DbTransaction? transaction = null) =>
        await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM test_plans", transaction: transaction) > 0;
}
