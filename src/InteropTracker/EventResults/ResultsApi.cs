using System.ComponentModel.DataAnnotations;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Engine;
using InteropTracker.Events;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Net.Http.Headers;

namespace InteropTracker.EventResults;

/// <summary>
/// The /api/events/{event}/results routes: engineers (and admins) log verdicts for their pairings, import them in
/// bulk, and confirm or dispute what the other side logged; every role that sees the event reads them.
/// </summary>
public static class ResultsApi
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

    public static IEndpointRouteBuilder MapResults(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/events/{event}/results").WithTags("Results").Performs(Permission.ReadEvents);
        read.MapGet("/", List).WithName("ListResults")
            .WithSummary($"The event's current results in the order first logged, filtered and paged (pageSize ≤ {MaxPageSize}); " +
                         "with ?retired=true, the results corrections retired instead (they count nowhere).");
        read.MapGet("/{id:long}", Get).WithName("GetResult").WithSummary("One result: its current verdict and review.");
        read.MapGet("/{id:long}/history", History).WithName("ResultHistory")
            .WithSummary("Every revision of a result, newest first, with who logged it and when.");

        var log = app.MapGroup("/api/events/{event}/results").WithTags("Results").Performs(Permission.LogResults);
        log.MapPost("/", Log).WithName("LogResult")
            .WithSummary("Log a verdict for a planned cell; every write is a new revision. A non-directional case is stored " +
                         "with the smaller product key as initiator, and the answer shows the stored order.");
        log.MapPost("/import", Import).WithName("ImportResults")
            .Accepts<List<ResultInput>>("application/json", "text/csv", "application/csv")
            .WithMetadata(new BodyLimits.Limit(ResultImport.MaxBytes))
            .RequireRateLimiting(ImportLimit.Policy)
            .WithSummary("Import results from CSV (plan,case,initiator,responder,verdict,notes,issue,cause; header required) or a " +
                         "JSON array: all rows or none; 422 lists the bad rows of the first chunk that has one (reading stops there); " +
                         $"413 past {ResultImport.MaxRows:N0} rows; 429 when the token has {ImportLimit.PerCaller} imports under way.");
        var review = app.MapGroup("/api/events/{event}/results").WithTags("Results").Performs(Permission.ReviewResults);
        review.MapPost("/{id:long}/confirm", Confirm).WithName("ConfirmResult")
            .WithSummary("The other side agrees with the current revision.");
        review.MapPost("/{id:long}/dispute", DisputeResult).WithName("DisputeResult")
            .WithSummary("The other side disputes the current revision, with a reason.");
        return app;
    }

    private static async Task<Results<Created<ResultInfo>, ProblemHttpResult>> Log(string @event, ResultInput body,
        HttpContext context, Database database, PlanningCache plannings, IResultEngine engine) =>
        Problems.Created(await LogResult.LogAsync(@event, body, context.Caller(), database, plannings, engine, context.RequestAborted),
            result => $"/api/events/{@event}/results/{result.Id}");

    private static async Task<Results<Ok<ResultImport.Summary>, ValidationProblem, ProblemHttpResult>> Import(
        string @event, HttpRequest request, HttpContext context, Database database, PlanningCache plannings, IResultEngine engine)
    {
        if (PermissionEndpoints.Refuse(Permission.LogResults, context.Caller()) is { } forbidden) return forbidden;
        if (request.ContentLength > ResultImport.MaxBytes) return ImportTooLarge();
        // Routing already refused any other media type (415) from the Accepts metadata.
        var mediaType = MediaTypeHeaderValue.TryParse(request.ContentType, out var type) ? type.MediaType.Value : null;
        var json = string.Equals(mediaType, "application/json", StringComparison.OrdinalIgnoreCase);
        var caller = context.Caller();
        var ct = context.RequestAborted;

        // Outside any transaction, so that a slow upload holds no lock, the body goes to a temporary file. A large one is
        // checked row by row as it arrives (the first pass), and refused at its first bad chunk with the rest of it
        // unread; a small one is only copied, and checked as it is written (the second pass).
        EventPlanning? planning;
        await using (var connection = await database.OpenAsync()) planning = await plannings.GetAsync(connection, @event);
        var gate = EventGate.Check(planning, @event, caller, EventNeed.Write);
        if (gate.Refusal is { } refusal) return Problems.Of(refusal);
        var visible = gate.Value!;
        await using var file = new FileStream(Path.Combine(Path.GetTempPath(), $"interop-import-{Guid.NewGuid():N}"), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, 64 * 1024, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        var spool = ResultImport.Spool(request.Body, file);
        ResultImport.Rows rows;
        int expectedRows;
        if (request.ContentLength <= ResultImport.CopiedBytes)
        {
            await spool.CopyToAsync(Stream.Null, ct);
            expectedRows = (int)Math.Min(ResultImport.MaxRows, request.ContentLength.Value / 40 + 1);
        }
        else
        {
            rows = json ? ResultImport.Json(spool) : await ResultImport.CsvAsync(spool, ct);
            var check = rows.Error is null ? await ResultImport.CheckAsync(visible, caller, rows, ct) : null;
            if (Refused(check, rows) is { } refused) return refused;
            expectedRows = check!.Rows;
        }

        file.Position = 0;
        rows = json ? ResultImport.Json(file) : await ResultImport.CsvAsync(file, ct);
        if (rows.Error is not null) return Refused(null, rows)!;
        // The upload may have taken a while: the engine's import holds the event at the stamp of the planning the rows are
        // checked against, until it is committed. The planning checked before the upload is tried first; only when the
        // event changed since is it read again.
        var import = await engine.BeginImportAsync(visible.Event.Id, visible.Event.UpdatedAt, expectedRows, ct);
        for (var attempt = 1; import is null; attempt++)
        {
            if (attempt == MaxAttempts)
                return Problems.Conflict($"Event {@event} kept changing while the results were being imported; send them again.");
            await using (var connection = await database.OpenAsync(ct))
                gate = await EventGate.OpenAsync(connection, plannings, @event, caller, EventNeed.Write);
            if (gate.Refusal is { } refusedNow) return Problems.Of(refusedNow);
            visible = gate.Value!;
            import = await engine.BeginImportAsync(visible.Event.Id, visible.Event.UpdatedAt, expectedRows, ct);
        }
        await using (import)
        {
            var outcome = ResultImport.Apply(import, visible, caller, rows, Clock.Now());
            if (outcome.Summary is not { } summary) return Refused(outcome, rows)!;
            await import.CommitAsync(new AuditEntry(caller, "results.import",
                $"{@event}: {summary.Rows} rows, {summary.Created} new results, {summary.Revised} revisions", visible.Event.Id));
            return TypedResults.Ok(summary);
        }
    }

    /// <summary>How often the event may change under one write before it gives up with 409.</summary>
    internal const int MaxAttempts = 4;

    private static ProblemHttpResult ImportTooLarge() =>
        Problems.TooLarge($"An import is at most {ResultImport.MaxBytes / (1024 * 1024)} MB; split the file.");

    /// <summary>
    /// The answer to an import that cannot be kept: its header or a record cannot be read (400), it is over a limit
    /// (413), or rows break the rules (422); null when <paramref name="outcome"/> found nothing wrong.
    /// </summary>
    private static Results<Ok<ResultImport.Summary>, ValidationProblem, ProblemHttpResult>? Refused(ResultImport.Outcome? outcome,
        ResultImport.Rows rows)
    {
        if (outcome is null) // the header could not be read
            return rows.TooLarge ? ImportTooLarge() : Problems.Invalid(rows.ErrorLocation!, rows.Error!);
        if (outcome.FileError is { } unreadable)
            return outcome.TooLarge
                ? Problems.TooLarge($"{outcome.FileErrorLocation}: {unreadable}")
                : Problems.Invalid(outcome.FileErrorLocation!, unreadable);
        if (outcome.BadRows == 0) return null;
        var rowsRead = outcome.ReadToEnd ? $"{outcome.Rows} rows" : $"the first {outcome.Rows} rows read";
        return Problems.Unprocessable(outcome.Errors,
            $"{outcome.BadRows} of {rowsRead} cannot be logged, so none was" +
            (outcome.BadRows > ResultImport.MaxListedErrors ? $"; the first {ResultImport.MaxListedErrors} are listed." : ".") +
            (outcome.ReadToEnd ? "" : " The rest of the file was not read: mend these rows and send it again."));
    }

    private static async Task<Results<Ok<ResultPage>, ValidationProblem, ProblemHttpResult>> List(
        string @event, string? product, string? initiator, string? responder, string? plan, [FromQuery(Name = "case")] string? caseKey,
        string? verdict, string? status, bool? retired, int? page, int? pageSize, HttpContext context, Database database,
        PlanningCache plannings)
    {
        var errors = new Dictionary<string, string[]>();
        if (verdict is not null && !VerdictNames.All.Contains(verdict))
            errors["verdict"] = [$"'{verdict}' is not a verdict; use {string.Join(", ", VerdictNames.All)}."];
        if (status is not null && !ResultStore.Statuses.Contains(status))
            errors["status"] = [$"'{status}' is not a review status; use {string.Join(", ", ResultStore.Statuses)}."];
        if (page < 1) errors["page"] = ["Pages count from 1."];
        if (pageSize is < 1 or > MaxPageSize) errors["pageSize"] = [$"A page holds 1 to {MaxPageSize} results."];
        if (errors.Count > 0) return TypedResults.ValidationProblem(errors);

        await using var connection = await database.OpenAsync();
        var gate = await EventGate.OpenAsync(connection, plannings, @event, context.Caller(), EventNeed.Read);
        if (gate.Refusal is { } refusal) return Problems.Of(refusal);
        var row = gate.Value!.Event;
        var filter = new ResultFilter(product, initiator, responder, plan, caseKey, verdict, status, retired ?? false);
        return TypedResults.Ok(await ResultStore.ListAsync(connection, row.Id, filter, page ?? 1, pageSize ?? DefaultPageSize));
    }

    private static async Task<Results<Ok<ResultInfo>, ProblemHttpResult>> Get(string @event, long id, HttpContext context,
        Database database, PlanningCache plannings)
    {
        await using var connection = await database.OpenAsync();
        var gate = await EventGate.OpenAsync(connection, plannings, @event, context.Caller(), EventNeed.Read);
        if (gate.Refusal is { } refusal) return Problems.Of(refusal);
        var row = gate.Value!.Event;
        return await ResultStore.FindAsync(connection, row.Id, id) is { } result ? TypedResults.Ok(result) : NoSuchResult(@event, id);
    }

    private static async Task<Results<Ok<ResultHistory>, ProblemHttpResult>> History(string @event, long id, HttpContext context,
        Database database, PlanningCache plannings)
    {
        await using var connection = await database.OpenAsync();
        var gate = await EventGate.OpenAsync(connection, plannings, @event, context.Caller(), EventNeed.Read);
        if (gate.Refusal is { } refusal) return Problems.Of(refusal);
        var row = gate.Value!.Event;
        if (await ResultStore.FindAsync(connection, row.Id, id) is not { } result) return NoSuchResult(@event, id);
        return TypedResults.Ok(new ResultHistory(result, await ResultStore.HistoryAsync(connection, id)));
    }

    private static Refusal NoSuchResultRefusal(string @event, long id) => Refusal.NotFound($"Event {@event} has no result {id}.");

    private static ProblemHttpResult NoSuchResult(string @event, long id) => Problems.Of(NoSuchResultRefusal(@event, id));

    private static async Task<Results<Ok<ResultInfo>, ProblemHttpResult>> Confirm(string @event, long id, Review? body,
        HttpContext context, Database database, PlanningCache plannings, IResultEngine engine) =>
        Problems.Ok(await ConfirmAsync(@event, id, body?.Revision, context.Caller(), database, plannings, engine));

    private static async Task<Results<Ok<ResultInfo>, ProblemHttpResult>> DisputeResult(string @event, long id, Dispute body,
        HttpContext context, Database database, PlanningCache plannings, IResultEngine engine) =>
        Problems.Ok(await DisputeAsync(@event, id, body, context.Caller(), database, plannings, engine));

    /// <summary>The other side agrees with the current revision (or with <paramref name="revision"/>, if still current).</summary>
    public static Task<Outcome<ResultInfo>> ConfirmAsync(string @event, long id, long? revision, Caller caller, Database database,
        PlanningCache plannings, IResultEngine engine) =>
        ReviewAsync(@event, id, "confirmed", null, revision, caller, database, plannings, engine);

    /// <summary>The other side disputes the current revision, with a reason.</summary>
    public static Task<Outcome<ResultInfo>> DisputeAsync(string @event, long id, Dispute body, Caller caller, Database database,
        PlanningCache plannings, IResultEngine engine) =>
        ReviewAsync(@event, id, "disputed", body.Reason.Trim(), body.Revision, caller, database, plannings, engine);

    private static async Task<Outcome<ResultInfo>> ReviewAsync(string @event, long id, string status, string? reason,
        long? revision, Caller caller, Database database, PlanningCache plannings, IResultEngine engine)
    {
        if (Permissions.Refusal(Permission.ReviewResults, caller) is { } refused) return Refusal.Forbidden(refused);
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            await using var connection = await database.OpenAsync();
            // Open, or closed within its review window: each vendor may still confirm or dispute the other side's results.
            var gate = await EventGate.OpenAsync(connection, plannings, @event, caller, EventNeed.Review);
            if (gate.Refusal is { } refusal) return refusal;
            var row = gate.Value!.Event;

            var authorship = await ResultStore.AuthorshipAsync(connection, row.Id, id);
            if (authorship is null)
                return await ResultStore.FindAsync(connection, row.Id, id) is { RetiredAt: not null }
                    ? Refusal.Conflict($"Result {id} of event {@event} was retired by a correction: it counts nowhere and is no " +
                                       "longer reviewed. If its cell is planned again, log it again.")
                    : NoSuchResultRefusal(@event, id);
            if (revision is { } reviewed && reviewed != authorship.Revision)
                return Refusal.Conflict($"Revision {reviewed} of result {id} is no longer current: revision {authorship.Revision} " +
                                         "was logged since. Review that one.");
            if (ResultRules.WhyCannotReview(caller, authorship) is { } why) return Refusal.Forbidden(why);

            var review = new ResultReview(row.Id, id, authorship.Revision, status, reason, caller.TokenId);
            var audit = new AuditEntry(caller, status == "confirmed" ? "result.confirm" : "result.dispute",
                $"{@event}: result {id} revision {authorship.Revision}", row.Id);
            // Reviewed as read, or read again: the event or the result changed in between.
            if (await engine.ReviewAsync(review, row.UpdatedAt, audit) == ReviewOutcome.Reviewed)
                return (await ResultStore.FindAsync(connection, row.Id, id))!;
        }
        return Refusal.Conflict($"Result {id} of event {@event} kept changing while it was being reviewed; send the review again.");
    }
}
