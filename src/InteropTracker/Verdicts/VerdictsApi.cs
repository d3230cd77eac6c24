using System.ComponentModel.DataAnnotations;
using System.Text;
using InteropTracker.Access;
using InteropTracker.Events;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace InteropTracker.Verdicts;

/// <summary>
/// The /api/events/{event}/results routes: engineers (and admins) log verdicts for their pairings, import them in
/// bulk, and confirm or dispute what the other side logged; every role that sees the event reads them.
/// </summary>
public static class VerdictsApi
{
    public const int DefaultPageSize = 100;
    public const int MaxPageSize = 500;

    public sealed record Review
    {
        /// <summary>The revision reviewed; when given and no longer current, the review is refused (409).</summary>
        public long? Revision { get; init; }
    }

    public sealed record Dispute
    {
        /// <summary>What the other side saw instead.</summary>
        [Required, StringLength(2000)]
        public string Reason { get; init; } = "";

        public long? Revision { get; init; }
    }

    public sealed record ResultHistory(ResultInfo Result, IReadOnlyList<RevisionInfo> Revisions);

    private sealed record BodyLimit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;

    public static IEndpointRouteBuilder MapVerdicts(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/events/{event}/results").WithTags("Results").Performs(Permission.ReadEvents);
        read.MapGet("/", List).WithName("ListResults")
            .WithSummary($"The event's current results in the order first logged, filtered and paged (pageSize ≤ {MaxPageSize}).");
        read.MapGet("/{id:long}", Get).WithName("GetResult").WithSummary("One result: its current verdict and review.");
        read.MapGet("/{id:long}/history", History).WithName("ResultHistory")
            .WithSummary("Every revision of a result, newest first, with who logged it and when.");

        var log = app.MapGroup("/api/events/{event}/results").WithTags("Results").Performs(Permission.LogResults);
        log.MapPost("/", Log).WithName("LogResult")
            .WithSummary("Log a verdict for a planned cell; every write is a new revision. A non-directional case is stored " +
                         "with the smaller product key as initiator, and the answer shows the stored order.");
        log.MapPost("/import", Import).WithName("ImportResults")
            .Accepts<List<ResultInput>>("application/json", "text/csv", "application/csv")
            .WithMetadata(new BodyLimit(VerdictImport.MaxBytes))
            .WithSummary("Import results from CSV (plan,case,initiator,responder,verdict,notes,issue; header required) or a " +
                         "JSON array: all rows or none; 422 lists every bad row.");
        var review = app.MapGroup("/api/events/{event}/results").WithTags("Results").Performs(Permission.ReviewResults);
        review.MapPost("/{id:long}/confirm", Confirm).WithName("ConfirmResult")
            .WithSummary("The other side agrees with the current revision.");
        review.MapPost("/{id:long}/dispute", DisputeResult).WithName("DisputeResult")
            .WithSummary("The other side disputes the current revision, with a reason.");
        return app;
    }

    /// <summary>The event when the caller may write to it now; otherwise the answer that says why not.</summary>
    internal static ProblemHttpResult? Refuse(EventRow? row, string key)
    {
        if (row is null) return EventsApi.NoSuchEvent(key);
        if (row.IsClosed) return EventsApi.Closed(key);
        if (!row.IsOpen) return Problems.Conflict($"Event {key} is not open yet: results are logged once a chair opens it.");
        return null;
    }

    // The pages call this handler too, so the shared services come from the request rather than as parameters.
    internal static Task<Results<Created<ResultInfo>, ProblemHttpResult>> Log(
        string @event, ResultInput body, HttpContext context, Database database) =>
        VerdictLog.LogAsync(@event, body, context.Caller(), database, context.RequestServices.GetRequiredService<PlanningCache>(),
            context.RequestServices.GetRequiredService<GroupCommit>(), context.RequestAborted);

    private static async Task<Results<Ok<VerdictImport.Summary>, ValidationProblem, ProblemHttpResult>> Import(
        string @event, HttpRequest request, HttpContext context, Database database, PlanningCache plannings)
    {
        if (Permissions.Refuse(Permission.LogResults, context.Caller()) is { } refused) return refused;
        if (await ReadLimitedAsync(request, VerdictImport.MaxBytes, context.RequestAborted) is not { } body)
            return Problems.TooLarge($"An import is at most {VerdictImport.MaxBytes / (1024 * 1024)} MB; split the file.");

        // Routing already refused any other media type (415) from the Accepts metadata.
        var mediaType = MediaTypeHeaderValue.TryParse(request.ContentType, out var type) ? type.MediaType.Value : null;
        var read = Open(body, mediaType);
        body = default; // read (a CSV as text): the file's bytes need not outlive this line while the rows are written
        if (read is not { } rows) return Problems.Invalid("body", "The CSV is not UTF-8 text; save it as UTF-8.");
        if (rows.Error is not null) return Problems.Invalid(rows.ErrorLocation!, rows.Error);

        var caller = context.Caller();
        await using var connection = await database.OpenAsync();
        // Every id an import writes is resolved from the planning read in its own transaction, which holds the write
        // lock: the foreign-key look-ups (four per result) would only find again what that read found.
        await using var checks = await ForeignKeys.OffAsync(connection);
        await using var transaction = connection.BeginTransaction();
        var planning = await plannings.GetAsync(connection, @event, transaction);
        var visible = planning is not null && EventStore.TakesPart(planning, caller) ? planning : null;
        if (Refuse(visible?.Event, @event) is { } refusal) return refusal;

        var outcome = VerdictImport.Apply(connection, transaction, visible!, caller, rows, Clock.Now());
        if (outcome.FileError is { } unreadable) return Problems.Invalid(outcome.FileErrorLocation!, unreadable);
        if (outcome.Summary is not { } summary)
            return Problems.Unprocessable(outcome.Errors,
                $"{outcome.BadRows} of {outcome.Rows} rows cannot be logged, so none was" +
                (outcome.BadRows > VerdictImport.MaxListedErrors ? $"; the first {VerdictImport.MaxListedErrors} are listed." : "."));
        await Audit.RecordAsync(connection, transaction, caller, "results.import",
            $"{@event}: {summary.Rows} rows, {summary.Created} new results, {summary.Revised} revisions");
        transaction.Commit();
        return TypedResults.Ok(summary);
    }

    /// <summary>The rows of a JSON or CSV body; null when a CSV is not UTF-8.</summary>
    private static VerdictImport.Rows? Open(ReadOnlyMemory<byte> body, string? mediaType)
    {
        if (string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase))
            return VerdictImport.Json(body.Span);
        return TryDecode(body, out var text) ? VerdictImport.Csv(text) : null;
    }

    private static async Task<ReadOnlyMemory<byte>?> ReadLimitedAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        if (request.ContentLength > limit) return null;
        using var buffer = new MemoryStream(request.ContentLength is { } length ? (int)length : 64 * 1024);
        var chunk = new byte[64 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > limit) return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static bool TryDecode(ReadOnlyMemory<byte> bytes, out string text)
    {
        try
        {
            text = StrictUtf8.GetString(bytes.Span);
            return true;
        }
        catch (DecoderFallbackException)
        {
            text = "";
            return false;
        }
    }

    private static async Task<Results<Ok<ResultPage>, ValidationProblem, ProblemHttpResult>> List(
        string @event, string? product, string? initiator, string? responder, string? plan, [FromQuery(Name = "case")] string? caseKey,
        string? verdict, string? status, int? page, int? pageSize, HttpContext context, Database database)
    {
        var errors = new Dictionary<string, string[]>();
        if (verdict is not null && !VerdictNames.All.Contains(verdict))
            errors["verdict"] = [$"'{verdict}' is not a verdict; use {string.Join(", ", VerdictNames.All)}."];
        if (status is not null && !VerdictStore.Statuses.Contains(status))
            errors["status"] = [$"'{status}' is not a review status; use {string.Join(", ", VerdictStore.Statuses)}."];
        if (page < 1) errors["page"] = ["Pages count from 1."];
        if (pageSize is < 1 or > MaxPageSize) errors["pageSize"] = [$"A page holds 1 to {MaxPageSize} results."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        await using var connection = await database.OpenAsync();
        var row = await EventStore.FindAsync(connection, @event, context.Caller());
        if (row is null) return EventsApi.NoSuchEvent(@event);
        var filter = new ResultFilter(product, initiator, responder, plan, caseKey, verdict, status);
        return TypedResults.Ok(await VerdictStore.ListAsync(connection, row.Id, filter, page ?? 1, pageSize ?? DefaultPageSize));
    }

    private static async Task<Results<Ok<ResultInfo>, ProblemHttpResult>> Get(string @event, long id, HttpContext context, Database database)
    {
        await using var connection = await database.OpenAsync();
        var row = await EventStore.FindAsync(connection, @event, context.Caller());
        if (row is null) return EventsApi.NoSuchEvent(@event);
        return await VerdictStore.FindAsync(connection, row.Id, id) is { } result ? TypedResults.Ok(result) : NoSuchResult(@event, id);
    }

    internal static async Task<Results<Ok<ResultHistory>, ProblemHttpResult>> History(string @event, long id, HttpContext context,
        Database database)
    {
        await using var connection = await database.OpenAsync();
        var row = await EventStore.FindAsync(connection, @event, context.Caller());
        if (row is null) return EventsApi.NoSuchEvent(@event);
        if (await VerdictStore.FindAsync(connection, row.Id, id) is not { } result) return NoSuchResult(@event, id);
        return TypedResults.Ok(new ResultHistory(result, await VerdictStore.HistoryAsync(connection, id)));
    }

    private static ProblemHttpResult NoSuchResult(string @event, long id) => Problems.NotFound($"Event {@event} has no result {id}.");

    internal static Task<Results<Ok<ResultInfo>, ProblemHttpResult>> Confirm(string @event, long id, Review? body, HttpContext context,
        Database database) =>
        ReviewAsync(@event, id, "confirmed", null, body?.Revision, context, database);

    internal static Task<Results<Ok<ResultInfo>, ProblemHttpResult>> DisputeResult(string @event, long id, Dispute body,
        HttpContext context, Database database) =>
        ReviewAsync(@event, id, "disputed", body.Reason.Trim(), body.Revision, context, database);

    private static async Task<Results<Ok<ResultInfo>, ProblemHttpResult>> ReviewAsync(string @event, long id, string status,
        string? reason, long? revision, HttpContext context, Database database)
    {
        var caller = context.Caller();
        if (Permissions.Refuse(Permission.ReviewResults, caller) is { } refused) return refused;
        await using var connection = await database.OpenAsync();
        await using var transaction = connection.BeginTransaction();
        var row = await EventStore.FindAsync(connection, @event, caller, transaction);
        if (Refuse(row, @event) is { } refusal) return refusal;

        var authorship = await VerdictStore.AuthorshipAsync(connection, row!.Id, id, transaction);
        if (authorship is null) return NoSuchResult(@event, id);
        if (revision is { } reviewed && reviewed != authorship.Revision)
            return Problems.Conflict($"Revision {reviewed} of result {id} is no longer current: revision {authorship.Revision} " +
                                     "was logged since. Review that one.");
        if (ResultRules.WhyCannotReview(caller, authorship) is { } why) return Problems.Forbidden(why);

        await VerdictStore.ReviewAsync(connection, transaction, id, status, reason, caller.TokenId);
        await Audit.RecordAsync(connection, transaction, caller, status == "confirmed" ? "result.confirm" : "result.dispute",
            $"{@event}: result {id} revision {authorship.Revision}");
        var result = await VerdictStore.FindAsync(connection, row.Id, id, transaction);
        transaction.Commit();
        return TypedResults.Ok(result!);
    }
}
