using System.Text.Json;
using Dapper;
using InteropTracker.Core;
using System.Data.Common;

namespace InteropTracker.Storage;

/// <summary>
/// The audit log: who did what and when, for every write that is not already a result revision; with the event it
/// concerns, and for a correction the changed fields before and after (JSON objects of those fields only).
/// </summary>
public static class Audit
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static Task RecordAsync(DbConnection connection, DbTransaction transaction, Caller caller, string action,
        string subject, long? eventId = null, object? before = null, object? after = null) =>
        connection.ExecuteAsync("""
            INSERT INTO audit_log (at, token_id, action, subject, event_id, before_value, after_value)
            VALUES (@at, @token, @action, @subject, @eventId, @before, @after)
            """,
            new
            {
                at = Clock.Now(), token = caller.TokenId, action, subject, eventId,
                before = before is null ? null : JsonSerializer.Serialize(before, Json),
                after = after is null ? null : JsonSerializer.Serialize(after, Json),
            }, transaction);
}
