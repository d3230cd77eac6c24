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

    /// <summary>Whether the exception is SQLite refusing a second row with the same unique key.</summary>
    public static bool IsUniqueViolation(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteConstraint } sqlite
        && sqlite.SqliteExtendedErrorCode is SqliteConstraintUnique or SqliteConstraintPrimaryKey;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (!IsUniqueViolation(exception)) return false;

        return await Problems.WriteAsync(problems, context, StatusCodes.Status409Conflict, "Already exists", Detail);
    }
}
