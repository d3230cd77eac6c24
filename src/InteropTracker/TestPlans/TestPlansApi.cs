using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using System.Data.Common;
using Microsoft.OpenApi;
using static InteropTracker.TestPlans.TestPlanStore;

namespace InteropTracker.TestPlans;

public static class TestPlansApi
{
    public sealed record TestPlanListing(
        string Plan, string LatestVersion, string Title, string Technology, long Cases, IReadOnlyList<TestPlanSummary> Versions);

    public sealed record TestPlanVersion(
        string Plan, string Version, string ContentHash, string LoadedAt, long? LoadedBy, TestPlanDocument Document);

    public static IEndpointRouteBuilder MapTestPlans(this IEndpointRouteBuilder app)
    {
        var load = app.MapGroup("/api/test-plans").WithTags("Test plans").Performs(Permission.ManageTestPlans);
        load.MapPost("/", Load)
            .WithMetadata(new BodyLimits.Limit(TestPlanUpload.MaxBytes))
            .RequireRateLimiting(ImportLimit.Policy)
            .WithName("LoadTestPlan")
            .WithSummary("Load a test-plan version from YAML, JSON, CSV (plan fields in the query string) or a multipart .yaml/.yml/.json/.xlsx/.csv file.")
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesValidationProblem(StatusCodes.Status422UnprocessableEntity)
            .AddOpenApiOperationTransformer((operation, _, _) =>
            {
                operation.RequestBody = UploadBody();
                return Task.CompletedTask;
            });
        var group = app.MapGroup("/api/test-plans").WithTags("Test plans").Performs(Permission.ReadTestPlans);
        group.MapGet("/", List)
            .WithName("ListTestPlans").WithSummary("Every test plan with its latest version, its versions and their case counts.");
        group.MapGet("/{plan}", Latest)
            .WithName("GetTestPlan").WithSummary("The latest version of a test plan (the one loaded last), whole.");
        group.MapGet("/{plan}/versions/{version}", Version)
            .WithName("GetTestPlanVersion").WithSummary("One version of a test plan, whole.");
        group.MapGet("/{plan}/diff", Diff)
            .WithName("DiffTestPlanVersions").WithSummary("What changed from one version of a plan to another: cases added, removed, and changed field by field.");
        return app;
    }

    /// <summary>
    /// The handler reads the body itself (bounded, by content type), so the accepted forms are described here rather than
    /// declared with Accepts(), which would have routing answer a bare 415 before the handler could name the accepted types.
    /// </summary>
    private static OpenApiRequestBody UploadBody()
    {
        var text = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String } };
        var binary = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" } };
        var content = TestPlanUpload.Files.AcceptedMediaTypes
            .Where(t => t != "multipart/form-data")
            .ToDictionary(t => t, t => t.Contains("spreadsheet", StringComparison.Ordinal) ? binary : text);
        content["multipart/form-data"] = new OpenApiMediaType
        {
            Schema = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                },
            },
        };
        return new OpenApiRequestBody
        {
            Required = true,
            Description = "A test-plan document. CSV takes the plan's fields from the query string: ?plan=&title=&version=&technology=&source=.",
            Content = content,
        };
    }

    private static async Task<Results<Created<TestPlanSummary>, Ok<TestPlanSummary>, ProblemHttpResult>> Load(
        HttpRequest request, Database database, CancellationToken ct)
    {
        if (PermissionEndpoints.Refuse(Permission.ManageTestPlans, request.HttpContext.Caller()) is { } refused) return refused;
        var errors = new ImportErrors();
        var upload = await TestPlanUpload.Files.ReadAsync(request, errors, ct);
        var document = upload is null ? null : TestPlanImport.Read(upload.Format, upload.Content, request.Query, errors);
        if (document is null) return errors.ToProblem();

        await using var connection = await database.OpenAsync(ct);
        await using var transaction = connection.BeginWrite();
        var saved = await SaveAsync(connection, transaction, document, request.HttpContext.Caller().TokenId);
        transaction.Commit();
        return saved.Outcome switch
        {
            Outcome.Created => TypedResults.Created(Location(saved.Version), saved.Version),
            Outcome.AlreadyLoaded => TypedResults.Ok(saved.Version),
            _ => Problems.Conflict(
                $"Test plan '{document.Plan}' version '{document.Version}' is already loaded with other content. " +
                "Versions are immutable: give the revised document a new version."),
        };
    }

    private static string Location(TestPlanSummary version) =>
        $"/api/test-plans/{Uri.EscapeDataString(version.Plan)}/versions/{Uri.EscapeDataString(version.Version)}";

    private static async Task<Ok<IEnumerable<TestPlanListing>>> List(Database database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var listings = (await ListVersionsAsync(connection))
            .GroupBy(v => v.Plan)
            .Select(versions =>
            {
                var all = versions.ToList();
                var latest = all[^1];
                return new TestPlanListing(latest.Plan, latest.Version, latest.Title, latest.Technology, latest.Cases, all);
            });
        return TypedResults.Ok(listings);
    }

    private static Task<Results<Ok<TestPlanVersion>, ProblemHttpResult>> Latest(string plan, Database database, CancellationToken ct) =>
        Find(plan, null, database, ct);

    private static Task<Results<Ok<TestPlanVersion>, ProblemHttpResult>> Version(
        string plan, string version, Database database, CancellationToken ct) =>
        Find(plan, version, database, ct);

    private static async Task<Results<Ok<TestPlanVersion>, ProblemHttpResult>> Find(
        string plan, string? version, Database database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var row = await FindDocumentAsync(connection, plan, version);
        if (row is null) return await NotFound(connection, plan, version);
        return TypedResults.Ok(new TestPlanVersion(
            plan, row.Version, row.ContentHash, row.LoadedAt, row.LoadedBy, TestPlanDocument.FromCanonicalJson(row.Document)));
    }

    private static async Task<Results<Ok<TestPlanDiff.Diff>, ValidationProblem, ProblemHttpResult>> Diff(
        string plan, string? from, string? to, Database database, CancellationToken ct)
    {
        var missing = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(from)) missing["from"] = ["Give the version to compare from, as ?from=1.0."];
        if (string.IsNullOrWhiteSpace(to)) missing["to"] = ["Give the version to compare to, as ?to=1.1."];
        if (missing.Count > 0) return TypedResults.ValidationProblem(missing);

        await using var connection = await database.OpenAsync(ct);
        var before = await FindDocumentAsync(connection, plan, from);
        if (before is null) return await NotFound(connection, plan, from);
        var after = await FindDocumentAsync(connection, plan, to);
        if (after is null) return await NotFound(connection, plan, to);
        return TypedResults.Ok(TestPlanDiff.Compare(
            TestPlanDocument.FromCanonicalJson(before.Document), TestPlanDocument.FromCanonicalJson(after.Document)));
    }

    private static async Task<ProblemHttpResult> NotFound(DbConnection connection, string plan, string? version)
    {
        if (version is null || await FindDocumentAsync(connection, plan, null) is null)
            return Problems.NotFound($"There is no test plan '{plan}'; GET /api/test-plans lists the loaded plans.");
        return Problems.NotFound($"Test plan '{plan}' has no version '{version}'; GET /api/test-plans lists its versions.");
    }
}
