using Dapper;
using InteropTracker.Core;
using InteropTracker.Storage;
using System.Data.Common;

namespace InteropTracker.EventResults;

/// <summary>A result as the API shows it: the current verdict of a cell and its review.</summary>
public sealed record ResultInfo
{
    public long Id { get; init; }
    public string Plan { get; init; } = "";
    public string PlanVersion { get; init; } = "";
    public string Technology { get; init; } = "";
    public string Section { get; init; } = "";
    public string Case { get; init; } = "";
    public string CaseTitle { get; init; } = "";
    public string Initiator { get; init; } = "";
    public string InitiatorOrganization { get; init; } = "";
    public string Responder { get; init; } = "";
    public string ResponderOrganization { get; init; } = "";
    public string Verdict { get; init; } = "";
    public string? Notes { get; init; }
    public string? Issue { get; init; }
    /// <summary>Why a fail or blocked result failed, when said.</summary>
    public string? Cause { get; init; }
    /// <summary>The result attributes of the current revision as stored: compact JSON, null when none.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public string? StoredAttributes { get; init; }
    /// <summary>The result attributes of the current revision, such as {"transport": "tls"}; null when none.</summary>
    public IReadOnlyDictionary<string, string>? Attributes
    {
        get => _attributes ?? ResultAttributes.FromJson(StoredAttributes);
        init => _attributes = value;
    }
    private readonly IReadOnlyDictionary<string, string>? _attributes;
    public long Revision { get; init; }
    public string RecordedAt { get; init; } = "";
    public string? RecordedBy { get; init; }
    public string? RecordedByOrganization { get; init; }
    public string Status { get; init; } = "";
    public string? StatusReason { get; init; }
    public string? StatusAt { get; init; }
    public string? StatusBy { get; init; }

    /// <summary>When a correction left the result outside the plan (it counts nowhere since); null for a current result.</summary>
    public string? RetiredAt { get; init; }

    public string? RetiredBy { get; init; }
}

/// <summary>One revision of a result.</summary>
public sealed record RevisionInfo
{
    public long Revision { get; init; }
    public string Verdict { get; init; } = "";
    public string? Notes { get; init; }
    public string? Issue { get; init; }
    public string? Cause { get; init; }
    /// <summary>The revision's result attributes as stored: compact JSON, null when none.</summary>
    [System.Text.Json.Serialization.JsonIgnore] public string? StoredAttributes { get; init; }
    public IReadOnlyDictionary<string, string>? Attributes
    {
        get => _attributes ?? ResultAttributes.FromJson(StoredAttributes);
        init => _attributes = value;
    }
    private readonly IReadOnlyDictionary<string, string>? _attributes;
    public string RecordedAt { get; init; } = "";
    public string? RecordedBy { get; init; }
    public string? RecordedByOrganization { get; init; }
}

/// <summary>Filters of GET …/results; every given one narrows the list. <paramref name="Retired"/>: the retired results instead of the current ones.</summary>
public sealed record ResultFilter(string? Product, string? Initiator, string? Responder, string? Plan, string? Case,
    string? Verdict, string? Status, bool Retired = false);

public sealed record ResultPage(long Total, int Page, int PageSize, IReadOnlyList<ResultInfo> Items);

/// <summary>Reading results and their history (the engine writes them: <see cref="Engine.IResultEngine"/>).</summary>
public static class ResultStore
{
    public static readonly IReadOnlyList<string> Statuses = ["reported", "confirmed", "disputed"];

    private const string SelectResults = """
        SELECT r.id, p.plan, p.version AS PlanVersion, p.technology, c.section, c.case_key AS "Case", c.title AS CaseTitle,
               i.key AS Initiator, io.key AS InitiatorOrganization, s.key AS Responder, so.key AS ResponderOrganization,
               r.verdict, r.notes, r.issue, r.cause, r.attributes AS StoredAttributes, r.revision, r.updated_at AS RecordedAt, ub.name AS RecordedBy,
               uo.key AS RecordedByOrganization, r.status, r.status_reason AS StatusReason, r.status_at AS StatusAt,
               sb.name AS StatusBy, r.retired_at AS RetiredAt, rb.name AS RetiredBy
        FROM results r
             JOIN test_cases c ON c.id = r.case_id
             JOIN test_plans p ON p.id = c.plan_id
             JOIN products i ON i.id = r.initiator_id
             JOIN organizations io ON io.id = i.organization_id
             JOIN products s ON s.id = r.responder_id
             JOIN organizations so ON so.id = s.organization_id
             LEFT JOIN tokens ub ON ub.id = r.updated_by
             LEFT JOIN organizations uo ON uo.id = ub.organization_id
             LEFT JOIN tokens sb ON sb.id = r.status_by
             LEFT JOIN tokens rb ON rb.id = r.retired_by
        """;

    private const string Filters = """
        r.event_id = @eventId AND (r.retired_at IS NOT NULL) = @retired
        AND (@product IS NULL OR r.initiator_id = (SELECT id FROM products WHERE key = @product)
                              OR r.responder_id = (SELECT id FROM products WHERE key = @product))
        AND (@initiator IS NULL OR r.initiator_id = (SELECT id FROM products WHERE key = @initiator))
        AND (@responder IS NULL OR r.responder_id = (SELECT id FROM products WHERE key = @responder))
        AND (@plan IS NULL OR c.plan_id IN (SELECT tp.id FROM test_plans tp WHERE tp.plan = @plan))
        AND (@caseKey IS NULL OR c.case_key = @caseKey)
        AND (@verdict IS NULL OR r.verdict = @verdict)
        AND (@status IS NULL OR r.status = @status)
        """;

    public static Task<ResultInfo?> FindAsync(DbConnection connection, long eventId, long id, DbTransaction? transaction = null) =>
        connection.QuerySingleOrDefaultAsync<ResultInfo>($"{SelectResults} WHERE r.event_id = @eventId AND r.id = @id",
            new { eventId, id }, transaction);

    /// <summary>One page of the event's results in the order they were first logged, with the total that match.</summary>
    /// <param name="newestFirst">The most recently first logged first, and no total (-1): counting every match reads them all.</param>
    public static async Task<ResultPage> ListAsync(DbConnection connection, long eventId, ResultFilter filter, int page, int pageSize,
        bool newestFirst = false)
    {
        var sql = newestFirst
            // "+r.event_id" keeps SQLite off the event's index, which would read all of the event's results to sort them:
            // walking the table backwards stops at the page's last row.
            ? $"{SelectResults} WHERE +{Filters} ORDER BY r.id DESC LIMIT @limit OFFSET @offset; SELECT -1;"
            : $"""
            {SelectResults} WHERE {Filters} ORDER BY r.id LIMIT @limit OFFSET @offset;
            SELECT count(*) FROM results r JOIN test_cases c ON c.id = r.case_id WHERE {Filters};
            """;
        await using var reader = await connection.QueryMultipleAsync(sql, new
        {
            eventId, product = filter.Product, initiator = filter.Initiator, responder = filter.Responder, plan = filter.Plan,
            caseKey = filter.Case, verdict = filter.Verdict, status = filter.Status, retired = filter.Retired,
            limit = pageSize, offset = (long)(page - 1) * pageSize,
        });
        var items = (await reader.ReadAsync<ResultInfo>()).AsList();
        var total = await reader.ReadSingleAsync<long>();
        return new ResultPage(total, page, pageSize, items);
    }

    /// <summary>
    /// Every revision of every result as one row source (result_id, revision, verdict, notes, issue, recorded_at,
    /// recorded_by): the current ones, which are the results rows, and the ones they replaced.
    /// </summary>
    public const string AllRevisions = """
        (SELECT id AS result_id, revision, verdict, notes, issue, updated_at AS recorded_at, updated_by AS recorded_by FROM results
         UNION ALL
         SELECT result_id, revision, verdict, notes, issue, recorded_at, recorded_by FROM result_revisions)
        """;

    /// <summary>Every revision of a result, newest first: the current one (the results row), then the ones it replaced.</summary>
    public static async Task<IReadOnlyList<RevisionInfo>> HistoryAsync(DbConnection connection, long resultId)
    {
        const string sql = """
            SELECT v.revision, v.verdict, v.notes, v.issue, v.cause, v.attributes AS StoredAttributes, v.recorded_at AS RecordedAt,
                   t.name AS RecordedBy, o.key AS RecordedByOrganization
            FROM (SELECT revision, verdict, notes, issue, cause, attributes, updated_at AS recorded_at, updated_by AS recorded_by
                  FROM results WHERE id = @resultId
                  UNION ALL
                  SELECT revision, verdict, notes, issue, cause, attributes, recorded_at, recorded_by
                  FROM result_revisions WHERE result_id = @resultId) AS v
                 LEFT JOIN tokens t ON t.id = v.recorded_by
                 LEFT JOIN organizations o ON o.id = t.organization_id
            ORDER BY v.revision DESC
            """;
        return (await connection.QueryAsync<RevisionInfo>(sql, new { resultId })).AsList();
    }

    private sealed record AuthorshipRow
    {
        public long Id { get; init; }
        public long Revision { get; init; }
        public long? RecordedBy { get; init; }
        public long? RecorderOrganization { get; init; }
        public long InitiatorOrganization { get; init; }
        public long ResponderOrganization { get; init; }
        public string InitiatorOrganizationKey { get; init; } = "";
        public string ResponderOrganizationKey { get; init; } = "";

        public ResultRules.Authorship ToAuthorship() => new(Revision, RecordedBy, RecorderOrganization, InitiatorOrganization,
            ResponderOrganization, InitiatorOrganizationKey, ResponderOrganizationKey);
    }

    private const string SelectAuthorship = """
        SELECT r.id, r.revision, r.updated_by AS RecordedBy, t.organization_id AS RecorderOrganization,
               i.organization_id AS InitiatorOrganization, s.organization_id AS ResponderOrganization,
               io.key AS InitiatorOrganizationKey, so.key AS ResponderOrganizationKey
        FROM results r
             JOIN products i ON i.id = r.initiator_id
             JOIN organizations io ON io.id = i.organization_id
             JOIN products s ON s.id = r.responder_id
             JOIN organizations so ON so.id = s.organization_id
             LEFT JOIN tokens t ON t.id = r.updated_by
        """;

    /// <summary>
    /// Who logged the result's current revision and whose products it pairs; null when the event has no such result, or
    /// only a retired one (no longer reviewed: it counts nowhere).
    /// </summary>
    public static async Task<ResultRules.Authorship?> AuthorshipAsync(DbConnection connection, long eventId, long id,
        DbTransaction? transaction = null) =>
        (await connection.QuerySingleOrDefaultAsync<AuthorshipRow>(
            $"{SelectAuthorship} WHERE r.event_id = @eventId AND r.id = @id AND r.retired_at IS NULL", new { eventId, id }, transaction))
        ?.ToAuthorship();

    /// <summary>The authorship of each of the results the event has and has not retired, in one read: for a page of many.</summary>
    public static async Task<IReadOnlyDictionary<long, ResultRules.Authorship>> AuthorshipsAsync(DbConnection connection,
        long eventId, IReadOnlyCollection<long> ids, DbTransaction? transaction = null)
    {
        if (ids.Count == 0) return new Dictionary<long, ResultRules.Authorship>();
        var rows = await connection.QueryAsync<AuthorshipRow>(
            $"{SelectAuthorship} WHERE r.event_id = @eventId AND {Sql.In(connection, "r.id", "@ids")} AND r.retired_at IS NULL", new { eventId, ids }, transaction);
        return rows.ToDictionary(r => r.Id, r => r.ToAuthorship());
    }
}
