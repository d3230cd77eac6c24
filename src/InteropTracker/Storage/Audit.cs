using Dapper;
using InteropTracker.Core;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Storage;

/// <summary>The audit log: who did what and when, for every write that is not already a result revision.</summary>
public static class Audit
{
    public static Task RecordAsync(SqliteConnection connection, SqliteTransaction transaction, Caller caller, string action,
        string subject) =>
        connection.ExecuteAsync(
            "INSERT INTO audit_log (at, token_id, action, subject) VALUES (@at, @token, @action, @subject)",
            new { at = Clock.Now(), token = caller.TokenId, action, subject }, transaction);
}
