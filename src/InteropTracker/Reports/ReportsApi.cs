using InteropTracker.Access;
using InteropTracker.Engine;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Schedule;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace InteropTracker.Reports;

/// <summary>
/// The final report downloads. Signed-in roles get either variant of the events they may read; anonymous callers get
/// only the anonymised variant of a published event. A published event's reports are its published snapshot's bytes;
/// any other's are written while the results stream from the database, inside one read transaction that the request
/// owns until the last byte.
/// </summary>
public static class ReportsApi
{
    public static IEndpointRouteBuilder MapReports(this IEndpointRouteBuilder app)
    {
        // Anonymous callers reach these routes too (the rule lets them); each handler decides what the caller gets.
        var group = app.MapGroup("/api/events/{event}").WithTags("Reports").Performs(Permission.DownloadReports);
        group.MapGet("/report.xlsx", Workbook).WithName("DownloadReportWorkbook")
            .WithSummary("The final report as an Excel workbook; ?anonymize=true for the anonymised variant.");
        group.MapGet("/report.pdf", Pdf).WithName("DownloadReportPdf")
            .WithSummary("The final report as a PDF document; ?anonymize=true for the anonymised variant.");
        return app;
    }

    private static Task<Results<PushStreamHttpResult, FileContentHttpResult, ProblemHttpResult>> Workbook(
        string @event, bool? anonymize, HttpContext context, Database database) =>
        DownloadAsync(@event, anonymize ?? false, "xlsx", ExcelReport.ContentType, ExcelReport.WriteAsync, context, database);

    private static Task<Results<PushStreamHttpResult, FileContentHttpResult, ProblemHttpResult>> Pdf(
        string @event, bool? anonymize, HttpContext context, Database database) =>
        DownloadAsync(@event, anonymize ?? false, "pdf", PdfReport.ContentType, PdfReport.WriteAsync, context, database);

    /// <summary>The download name: <c>&lt;event&gt;-interop-report[-anonymised][-snapshot-n].xlsx|pdf</c>.</summary>
    public static string FileName(string eventKey, bool anonymised, string extension, long? snapshot = null) =>
        $"{eventKey}-interop-report{(anonymised ? "-anonymised" : "")}{(snapshot is { } n ? $"-snapshot-{n}" : "")}.{extension}";

    private static async Task<Results<PushStreamHttpResult, FileContentHttpResult, ProblemHttpResult>> DownloadAsync(string eventKey, bool anonymize,
        string extension, string contentType, Func<ReportModel, Stream, CancellationToken, Task> write, HttpContext context,
        Database database)
    {
        var ct = context.RequestAborted;
        var connection = await database.OpenAsync(ct);
        context.Response.RegisterForDisposeAsync(connection);
        var transaction = connection.BeginSnapshot();
        context.Response.RegisterForDisposeAsync(transaction);

        var planning = await context.RequestServices.GetRequiredService<PlanningCache>().GetAsync(connection, eventKey, transaction);
        var caller = CallerClaims.From(context.User);
        // A published event's reports are its published snapshot's, byte for byte, whoever asks and whatever changed since
        // (an admin may have reopened it): the public its anonymised variant, signed-in readers either.
        var snapshot = planning is { Event: { Published: true, PublishedSnapshot: { } n } } ? n : (long?)null;
        if (caller is null)
        {
            if (!anonymize || planning is not { Event.Published: true } || (snapshot is null && !planning.Event.IsClosed))
                return Unauthorized();
        }
        else if (EventGate.Check(planning, eventKey, caller, EventNeed.Read).Refusal is { } refusal)
        {
            return Problems.Of(refusal);
        }

        if (snapshot is { } number && await SnapshotsApi.FileAsync(connection, planning!.Event, number, anonymize, extension, context,
                FileName(eventKey, anonymize, extension)) is { } kept)
            return kept;

        var engine = context.RequestServices.GetRequiredService<IResultEngine>();
        var facts = await ReportStore.LoadAsync(connection, transaction, planning!, engine);
        var model = ReportComposer.Compose(facts, anonymize, DateTime.UtcNow) with
        {
            Comparison = await ReportComparisons.LoadAsync(database, context.RequestServices.GetRequiredService<PlanningCache>(),
                engine, planning!, facts.Summary, ct),
        };
        if (!anonymize) model = model with { Timetable = await ScheduleStore.ReadAsync(connection, planning!.Event.Id, transaction) };
        return TypedResults.Stream(body => write(model, body, ct), contentType, FileName(eventKey, anonymize, extension));
    }

    private static ProblemHttpResult Unauthorized() => TypedResults.Problem(
        title: "Unauthorized",
        detail: "Sign in with a token to download this report. Without one, only the anonymised report " +
                "(?anonymize=true) of a closed, published event can be downloaded.",
        statusCode: StatusCodes.Status401Unauthorized);
}
