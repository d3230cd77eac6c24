using Microsoft.AspNetCore.Diagnostics;
using System.Data.Common;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace InteropTracker.Storage;

/// <summary>
/// The one place a write refused for lack of space becomes 507 Insufficient Storage, whichever door it came through (a
/// result through the shared commits, an import, a chair's write): nothing of it was stored, and the database is
/// reported not writable (/healthz) until a write succeeds again.
/// </summary>
public sealed class DiskFullHandler(IProblemDetailsService problems, Database database, ILogger<DiskFullHandler> logger)
    : IExceptionHandler
{
    private const int SqliteFull = 13;
    // errno values a write or an fsync gets when the disk (or the user's quota) is full; .NET puts them in HResult on Unix.
    private const int NoSpace = 28, QuotaExceeded = 122;
    private const int WindowsDiskFull = unchecked((int)0x80070070), WindowsHandleDiskFull = unchecked((int)0x80070027);

    public const string Detail = "The server's disk is full: nothing of this request was written. Free space on the disk " +
                                 "that holds the database (or ask whoever runs the server to), then send it again.";

    /// <summary>
    /// Whether the exception is a write refused for lack of space: SQLite's "database or disk is full" (which it also
    /// answers when a write to its files meets a full disk), PostgreSQL's disk_full, or the flush of the write-ahead log meeting one.
    /// </summary>
    public static bool IsOutOfSpace(Exception exception) => exception switch
    {
        SqliteException { SqliteErrorCode: SqliteFull } => true,
        PostgresException postgres => postgres.SqlState == PostgresErrorCodes.DiskFull,
        IOException io when OperatingSystem.IsWindows() => io.HResult is WindowsDiskFull or WindowsHandleDiskFull,
        IOException io => io.HResult is NoSpace or QuotaExceeded,
        _ => false,
    };

    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
    {
        if (!IsOutOfSpace(exception)) return false;

        // Once when the database stops being writable, not for every refusal while it stays so.
        if (database.NotWritable is null)
            logger.LogError("Writes are refused for lack of space, first {Path}: {Reason}. Free space on the database's disk.",
                context.Request.Path, exception.Message);
        database.RefusedForSpace($"a write was refused for lack of space at {Clock.Now()} ({exception.Message}); " +
                                 "free space on the database's disk: the next write that succeeds clears this");
        return await Problems.WriteAsync(problems, context, StatusCodes.Status507InsufficientStorage, "The disk is full", Detail);
    }
}

public static class DiskFullRecovery
{
    /// <summary>
    /// Clears <see cref="Database.NotWritable"/> on PostgreSQL, which has no commit hook as SQLite has: a write request
    /// answered with success committed what it wrote, so the space that ran out is back.
    /// </summary>
    public static IApplicationBuilder UseDiskFullRecovery(this IApplicationBuilder app)
    {
        var database = app.ApplicationServices.GetRequiredService<Database>();
        if (database is not PostgresDatabase) return app;
        return app.Use(async (context, next) =>
        {
            await next(context);
            if (database.NotWritable is not null && !HttpMethods.IsGet(context.Request.Method) &&
                !HttpMethods.IsHead(context.Request.Method) && context.Response.StatusCode < 400)
                database.WriteSucceeded();
        });
    }
}
