using Microsoft.AspNetCore.Diagnostics;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Storage;

/// <summary>The one place a unique-constraint violation becomes 409 Conflict.</summary>
public sealed class ConflictHandler(IProblemDetailsService problems) : IExceptionHandler
{
    private const int SqliteConstraint = 19;
    private const int SqliteConstraintUnique = 2067;
    private const int SqliteConstraintPrimaryKey = 1555;

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (exception is not SqliteException { SqliteErrorCode: SqliteConstraint } sqlite
            || sqlite.SqliteExtendedErrorCode is not (SqliteConstraintUnique or SqliteConstraintPrimaryKey))
            return false;

        context.Response.StatusCode = StatusCodes.Status409Conflict;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails =
            {
                Status = StatusCodes.Status409Conflict,
                Title = "Already exists",
                Detail = "Something with the same key already exists; choose another key or update the existing one.",
            },
        });
    }
}
