using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;

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
    /// organizations.key"): "An organization with this key already exists (organizations.key is unique); …".
    /// </summary>
    public static string DetailOf(Exception exception)
    {
        var match = System.Text.RegularExpressions.Regex.Match(exception.Message, @"UNIQUE constraint failed: ([\w.]+(?:, [\w.]+)*)");
        if (!match.Success) return Detail;
        var columns = match.Groups[1].Value;
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

    /// <summary>Whether the exception is SQLite refusing a second row with the same unique key.</summary>
    public static bool IsUniqueViolation(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteConstraint } sqlite
        && sqlite.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (!IsUniqueViolation(exception)) return false;

        return await Problems.WriteAsync(problems, context, StatusCodes.Status409Conflict, "Already exists", DetailOf(exception));
    }
}
