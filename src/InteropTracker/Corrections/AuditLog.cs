using System.Text.Json;
using Dapper;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Storage;

namespace InteropTracker.Corrections;

/// <summary>
/// An event's audit log as chairs read it: every write to the event, who and when, before and after. The audit records
/// (setup, participants, status, corrections, retirements, imports, reviews) and every revision of its results, which
/// are not audit records because each is stored as a revision already (what it replaced is the revision before).
/// </summary>
public static class AuditLog
{
    public const int DefaultPageSize = 50;
    public const int MaxPageSize = 500;

    public sealed record Entry
    {
        public string At { get; init; } = "";
        public string? Who { get; init; }
        public string? WhoOrganization { get; init; }
        public string Action { get; init; } = "";
        public string Subject { get; init; } = "";
        public JsonElement? Before { get; init; }
        public JsonElement? After { get; init; }
    }

    public sealed record Page(long Total, int PageNumber, int PageSize, IReadOnlyList<Entry> Items);

    private sealed record Row
    {
        public string At { get; init; } = "";
        public string? Who { get; init; }
        public string? WhoOrganization { get; init; }
        public string Action { get; init; } = "";
        public string Subject { get; init; } = "";
        public string? Before { get; init; }
        public string? After { get; init; }
    }

    /// <param name="who">Part of the name of the token that wrote, any case.</param>
    /// <param name="what">The start of the action, such as <c>event</c>, <c>result.log</c> or <c>results.retire</c>.</param>
    public static async Task<Outcome<Page>> ReadAsync(string @event, string? who, string? what, int page, int pageSize, Caller caller,
        Database database, PlanningCache plannings)
    {
        if (Permissions.Refusal(Permission.ReadAudit, caller) is { } refused) return Refusal.Forbidden(refused);
        var errors = new Dictionary<string, string[]>();
        if (page < 1) errors["page"] = ["Pages count from 1."];
        if (pageSize is < 1 or > MaxPageSize) errors["pageSize"] = [$"A page holds 1 to {MaxPageSize} entries."];
        if (errors.Count > 0) return Refusal.Invalid(errors, "The page asked for does not exist.");

        await using var connection = await database.OpenAsync();
        var gate = await EventGate.OpenAsync(connection, plannings, @event, caller, EventNeed.Read);
        if (gate.Refusal is { } refusal) return refusal;
        var json = Sql.JsonObject(connection);
        var entries = $"""
            WITH entries AS (
                SELECT a.id AS seq, 0 AS kind, a.at, a.token_id, a.action, a.subject, a.before_value, a.after_value
                FROM audit_log a WHERE a.event_id = @eventId
                UNION ALL
                SELECT v.revision_id, 1, v.recorded_at, v.recorded_by, 'result.log',
                       'result ' || r.id || ' revision ' || v.revision || ': ' || p.plan || ' ' || c.case_key || ', ' || i.key || ' → ' || s.key,
                       (SELECT CAST({json}('verdict', b.verdict, 'notes', b.notes, 'issue', b.issue) AS TEXT)
                        FROM result_revisions b WHERE b.result_id = r.id AND b.revision = v.revision - 1),
                       CAST({json}('verdict', v.verdict, 'notes', v.notes, 'issue', v.issue) AS TEXT)
                FROM (SELECT id AS result_id, 0 AS revision_id, revision, verdict, notes, issue, updated_at AS recorded_at,
                             updated_by AS recorded_by
                      FROM results WHERE event_id = @eventId
                      UNION ALL
                      SELECT h.result_id, h.id, h.revision, h.verdict, h.notes, h.issue, h.recorded_at, h.recorded_by
                      FROM result_revisions h JOIN results x ON x.id = h.result_id WHERE x.event_id = @eventId) v
                     JOIN results r ON r.id = v.result_id
                     JOIN test_cases c ON c.id = r.case_id
                     JOIN test_plans p ON p.id = c.plan_id
                     JOIN products i ON i.id = r.initiator_id
                     JOIN products s ON s.id = r.responder_id
            )
            """;
        const string filters = """
            FROM entries e LEFT JOIN tokens t ON t.id = e.token_id LEFT JOIN organizations o ON o.id = t.organization_id
            WHERE (@what IS NULL OR e.action LIKE @what || '%')
              AND (@who IS NULL OR lower(t.name) LIKE '%' || lower(@who) || '%')
            """;
        var sql = $"""
            {entries}
            SELECT e.at, t.name AS Who, o.key AS WhoOrganization, e.action, e.subject, e.before_value AS Before, e.after_value AS After
            {filters}
            ORDER BY e.at DESC, e.kind, e.seq DESC
            LIMIT @limit OFFSET @offset;
            {entries}
            SELECT count(*) {filters};
            """;
        await using var reader = await connection.QueryMultipleAsync(sql, new
        {
            eventId = gate.Value!.Event.Id, who = Blank(who), what = Blank(what), limit = pageSize, offset = (long)(page - 1) * pageSize,
        });
        var rows = (await reader.ReadAsync<Row>()).AsList();
        var total = await reader.ReadSingleAsync<long>();
        return new Page(total, page, pageSize, rows.Select(r => new Entry
        {
            At = r.At, Who = r.Who, WhoOrganization = r.WhoOrganization, Action = r.Action, Subject = r.Subject,
            Before = Parse(r.Before), After = Parse(r.After),
        }).ToList());
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    private static JsonElement? Parse(string? json) => json is null ? null : JsonDocument.Parse(json).RootElement.Clone();
}
