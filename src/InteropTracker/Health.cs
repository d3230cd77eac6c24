using Dapper;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace InteropTracker;

public static class Health
{
    public sealed record HealthReport(string Status, string Database, IReadOnlyList<string> Migrations);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", Check).WithTags("Health").AllowAnonymous()
            .WithName("Health").WithSummary("Liveness and database reachability.");
        return app;
    }

    private static async Task<Results<Ok<HealthReport>, JsonHttpResult<HealthReport>>> Check(Database database)
    {
        try
        {
            await using var connection = await database.OpenAsync();
            var applied = (await connection.QueryAsync<string>("SELECT name FROM schema_migrations ORDER BY name")).ToList();
            return TypedResults.Ok(new HealthReport("ok", "reachable", applied));
        }
        catch (Exception e) when (e is Microsoft.Data.Sqlite.SqliteException or IOException or InvalidOperationException)
        {
            return TypedResults.Json(new HealthReport("unhealthy", e.Message, []), statusCode: 503);
        }
    }
}
