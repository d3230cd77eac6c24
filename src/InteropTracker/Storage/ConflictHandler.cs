using Microsoft.AspNetCore.Diagnostics;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace InteropTracker.Storage;

/// <summary>The one place a unique-constraint violation becomes 409 Conflict.</summary>
public sealed class ConflictHandler(IProblemDetailsService problems) : IExceptionHandler
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;

    public const string Detail = "Something with the same key already exists; choose another key or update the existing one.";

    /// <summary>
    /// The detail for this violation, naming what is taken from SQLite's message ("UNIQUE constraint failed:
    /// organizations.key") or PostgreSQL's (table organizations, "Key (key)=(acme) already exists."): "An organization
    /// with this key already exists (organizations.key is unique); …".
    /// </summary>
    public static string DetailOf(Exception exception)
    {
        var columns = UniqueColumns(exception);
        if (columns is null) return Detail;
        var table = columns.Split('.')[0];
        var fields = string.Join(" and ", columns.Split(", ").Select(c => c.Split('.')[^1].Replace('_', ' ')));
        var thing = table switch
        {
            "organizations" => "An organization",
            "products" => "A product",
            "events" => "An event",
            "test_plans" => "A test plan",
            "tokens" => "A token",
            _ => "A row of " + table.Replace('_', ' '),
        };
        return $"{thing} with this {fields} already exists ({columns} is unique); choose another {fields}, or change the existing one.";
    }

    /// <summary>The unique columns as "table.column, table.column", or null when the message does not say.</summary>
    private static string? UniqueColumns(Exception exception)
    {
        if (exception is PostgresException { TableName: { } table, Detail: { } detail })
        {
            var key = System.Text.RegularExpressions.Regex.Match(detail, @"^Key \(([^)]*)\)=");
            return key.Success ? string.Join(", ", key.Groups[1].Value.Split(", ").Select(c => $"{table}.{c}")) : null;
        }
        var match = System.Text.RegularExpressions.Regex.Match(exception.Message, @"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)");
        return match.Success ? match.Groups[1].Value : null;
    }

    /// <summary>Whether the exception is the database refusing a second row with the same unique key.</summary>
    public static bool IsUniqueViolation(Exception exception) => exception switch
    {
        SqliteException { SqliteErrorCode: SqliteConstraint } sqlite =>
            sqlite.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (!IsUniqueViolation(exception)) return false;

        return await Problems.WriteAsync(problems, context, StatusCodes.Status409Conflict, "Already exists", DetailOf(exception));
    }
}
