using System.Text.Json;
using Dapper;
using InteropTracker.Core;
using InteropTracker.Storage;
using System.Data.Common;

namespace InteropTracker.Schedule;

/// <summary>The stored timetable of each event (one, replaced by each build) and the cells that already have a verdict.</summary>
public static class ScheduleStore
{
    public static async Task<Timetable?> ReadAsync(DbConnection connection, long eventId, DbTransaction? transaction = null)
    {
        var json = await connection.QuerySingleOrDefaultAsync<string>(
            "SELECT timetable FROM schedules WHERE event_id = @eventId", new { eventId }, transaction);
        return json is null ? null : JsonSerializer.Deserialize<Timetable>(json, JsonSerializerOptions.Web);
    }

    public static Task SaveAsync(DbConnection connection, DbTransaction transaction, long eventId, Timetable timetable,
        long builtBy) =>
        connection.ExecuteAsync("""
            INSERT INTO schedules (event_id, timetable, built_at, built_by) VALUES (@eventId, @json, @at, @builtBy)
            ON CONFLICT (event_id) DO UPDATE SET timetable = excluded.timetable, built_at = excluded.built_at,
                                                 built_by = excluded.built_by
            """,
            new { eventId, json = JsonSerializer.Serialize(timetable, JsonSerializerOptions.Web), at = Clock.Format(timetable.BuiltAt.UtcDateTime), builtBy },
            transaction);

    private sealed record TestedCell
    {
        public long CaseId { get; init; }
        public long InitiatorId { get; init; }
        public long ResponderId { get; init; }
    }

    /// <summary>The cells of the event that have a current verdict (read only; the engine writes results).</summary>
    public static async Task<HashSet<(long Case, long Initiator, long Responder)>> TestedCellsAsync(DbConnection connection,
        long eventId, DbTransaction? transaction = null)
    {
        var rows = await connection.QueryAsync<TestedCell>(
            "SELECT case_id AS CaseId, initiator_id AS InitiatorId, responder_id AS ResponderId FROM results WHERE event_id = @eventId AND retired_at IS NULL",
            new { eventId }, transaction);
        return rows.Select(r => (r.CaseId, r.InitiatorId, r.ResponderId)).ToHashSet();
    }
}
