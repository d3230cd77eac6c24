using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace InteropTracker;

public static class Health
{
    public sealed record HealthReport(string Status, string Database, IReadOnlyList<string> Migrations);

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", Check).WithTags("Health").Performs(Permission.Public)
            .WithName("Health").WithSummary("Liveness, and whether the database can be read and written (503 saying why when not).");
        // The benchmark's baseline: what this server answers per second when a request costs nothing but HTTP.
        app.MapGet("/api/ping", () => TypedResults.Text("pong")).WithTags("Health").Performs(Permission.Public)
            .WithName("Ping").WithSummary("Answers 'pong' without touching the database: the cheapest request the server serves.");
        return app;
    }

    private static async Task<Results<Ok<HealthReport>, JsonHttpResult<HealthReport>>> Check(Database database)
    {
        try
        {
            await using var connection = await database.OpenAsync();
            var applied = (await connection.QueryAsync<string>("SELECT name FROM schema_migrations ORDER BY name")).ToList();
            // Readable is not writable: a full disk refuses every write while every read still works.
            if (database.NotWritable is { } why)
                return TypedResults.Json(new HealthReport("unhealthy", $"not writable: {why}", applied), statusCode: 503);
            return TypedResults.Ok(new HealthReport("ok", "reachable", applied));
        }
        catch (Exception e) when (e is System.Data.Common.DbException or IOException or InvalidOperationException)
        {
            return TypedResults.Json(new HealthReport("unhealthy", e.Message, []), statusCode: 503);
        }
    }
}
