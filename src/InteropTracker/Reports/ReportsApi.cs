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
/// only the anonymised variant of a closed, published event. The body is written while the results stream from the
/// database, inside one read transaction that the request owns until the last byte.
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

    private static Task<Results<PushStreamHttpResult, ProblemHttpResult>> Workbook(
        string @event, bool? anonymize, HttpContext context, Database database) =>
        DownloadAsync(@event, anonymize ?? false, "xlsx", ExcelReport.ContentType, ExcelReport.WriteAsync, context, database);

    private static Task<Results<PushStreamHttpResult, ProblemHttpResult>> Pdf(
        string @event, bool? anonymize, HttpContext context, Database database) =>
        DownloadAsync(@event, anonymize ?? false, "pdf", PdfReport.ContentType, PdfReport.WriteAsync, context, database);

    /// <summary>The download name: <c>&lt;event&gt;-interop-report[-anonymised].xlsx|pdf</c>.</summary>
    public static string FileName(string eventKey, bool anonymised, string extension) =>
        $"{eventKey}-interop-report{(anonymised ? "-anonymised" : "")}.{extension}";

    private static async Task<Results<PushStreamHttpResult, ProblemHttpResult>> DownloadAsync(string eventKey, bool anonymize,
        string extension, string contentType, Func<ReportModel, Stream, CancellationToken, Task> write, HttpContext context,
        Database database)
    {
        var ct = context.RequestAborted;
        var connection = await database.OpenAsync(ct);
        context.Response.RegisterForDisposeAsync(connection);
        var transaction = connection.BeginTransaction(deferred: true);
        context.Response.RegisterForDisposeAsync(transaction);

        var planning = await context.RequestServices.GetRequiredService<PlanningCache>().GetAsync(connection, eventKey, transaction);
        var caller = CallerClaims.From(context.User);
        if (caller is null)
        {
            if (!anonymize || planning is not { Event.IsClosed: true, Event.Published: true })
                return Unauthorized();
        }
        else if (EventGate.Check(planning, eventKey, caller, EventNeed.Read).Refusal is { } refusal)
        {
            return Problems.Of(refusal);
        }

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
