using System.Data.Common;
using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Engine;
using InteropTracker.Events;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace InteropTracker.Reports;

/// <summary>
/// Snapshots of a closed event: its numbers and its four reports (full and anonymised, Excel and PDF) frozen as
/// snapshot n, each report's SHA-256 kept beside its bytes. Publishing names a snapshot, and from then on every download
/// of the event's reports serves that snapshot's bytes (<see cref="ReportsApi"/>), the same on every download.
/// </summary>
public static class SnapshotsApi
{
    /// <summary>The four reports of a snapshot: variant, format, content type, writer.</summary>
    private static readonly (string Variant, string Format, string ContentType, Func<ReportModel, Stream, CancellationToken, Task> Write)[] Reports =
    [
        ("full", "xlsx", ExcelReport.ContentType, ExcelReport.WriteAsync),
        ("full", "pdf", PdfReport.ContentType, PdfReport.WriteAsync),
        ("anonymised", "xlsx", ExcelReport.ContentType, ExcelReport.WriteAsync),
        ("anonymised", "pdf", PdfReport.ContentType, PdfReport.WriteAsync),
    ];

    public static IEndpointRouteBuilder MapSnapshots(this IEndpointRouteBuilder app)
    {
        var chair = app.MapGroup("/api/events/{event}/snapshots").WithTags("Reports").Performs(Permission.ManageEvents);
        chair.MapPost("/", Take).WithName("TakeSnapshot")
            .WithSummary("Freeze a closed event's numbers and its four reports as the next numbered snapshot, with each report's SHA-256.");

        var read = app.MapGroup("/api/events/{event}/snapshots").WithTags("Reports").Performs(Permission.ReadEvents);
        read.MapGet("/", List).WithName("ListSnapshots")
            .WithSummary("The event's snapshots, oldest first: numbers, reports with their SHA-256, whether published, whether stale.");
        read.MapGet("/{number:long}/report.xlsx", (string @event, long number, bool? anonymize, HttpContext context, Database database, PlanningCache plannings) =>
                DownloadAsync(@event, number, anonymize ?? false, "xlsx", context, database, plannings))
            .WithName("DownloadSnapshotWorkbook").WithSummary("A snapshot's Excel report, as kept; ?anonymize=true for the anonymised variant.");
        read.MapGet("/{number:long}/report.pdf", (string @event, long number, bool? anonymize, HttpContext context, Database database, PlanningCache plannings) =>
                DownloadAsync(@event, number, anonymize ?? false, "pdf", context, database, plannings))
            .WithName("DownloadSnapshotPdf").WithSummary("A snapshot's PDF report, as kept; ?anonymize=true for the anonymised variant.");
        return app;
    }

    private static async Task<Results<Created<SnapshotInfo>, ProblemHttpResult>> Take(string @event, HttpContext context, Database database,
        PlanningCache plannings, IResultEngine engine) =>
        Problems.Created(await TakeAsync(@event, context.Caller(), database, plannings, engine, context.RequestAborted),
            s => $"/api/events/{Uri.EscapeDataString(@event)}/snapshots/{s.Number}");

    /// <summary>
    /// Takes the next snapshot of a closed event. The reports are made in a read transaction (no write waits on them),
    /// then kept in a write transaction that first checks nothing moved meanwhile: not the numbers, not the numbering.
    /// </summary>
    public static async Task<Outcome<SnapshotInfo>> TakeAsync(string eventKey, Caller caller, Database database, PlanningCache plannings,
        IResultEngine engine, CancellationToken ct = default)
    {
        if (Permissions.Refusal(Permission.ManageEvents, caller) is { } refused) return Refusal.Forbidden(refused);
        var takenAt = DateTime.UtcNow;
        long number;
        string mark;
        SnapshotNumbers numbers;
        var files = new List<(string Variant, string Format, byte[] Content)>();
        await using (var connection = await database.OpenAsync(ct))
        await using (var read = connection.BeginSnapshot())
        {
            var gate = await EventGate.OpenAsync(connection, plannings, eventKey, caller, EventNeed.Chair, read);
            if (gate.Refusal is { } refusal) return refusal;
            var planning = gate.Value!;
            if (!planning.Event.IsClosed)
                return Refusal.Conflict($"Event {eventKey} is {planning.Event.Status}: a snapshot freezes a closed event's numbers. Close it first.");
            number = 1 + await connection.QuerySingleAsync<long>(
                "SELECT COALESCE(max(number), 0) FROM event_snapshots WHERE event_id = @id", new { id = planning.Event.Id }, read);
            mark = await EventSnapshots.MarkAsync(connection, planning, read);
            var facts = await ReportStore.LoadAsync(connection, read, planning, engine);
            facts = facts with { Event = facts.Event with { Snapshot = number, Provisional = false } };
            numbers = new SnapshotNumbers(TallyDto.From(facts.Summary.Total), facts.Summary.Statuses.Reported,
                facts.Summary.Statuses.Confirmed, facts.Summary.Statuses.Disputed,
                facts.Summary.Technologies.Select(t => new SnapshotTechnology(t.Technology, TallyDto.From(t.Tally))).ToList());
            var comparison = await ReportComparisons.LoadAsync(database, plannings, engine, planning, facts.Summary, ct);
            foreach (var (variant, format, _, write) in Reports)
            {
                using var content = new MemoryStream();
                await write(ReportComposer.Compose(facts, variant == "anonymised", takenAt) with { Comparison = comparison }, content, ct);
                files.Add((variant, format, content.ToArray()));
            }
        }

        await using var db = await database.OpenAsync(ct);
        await using var transaction = db.BeginWrite();
        var again = await EventGate.OpenAsync(db, plannings, eventKey, caller, EventNeed.Chair, transaction);
        if (again.Refusal is { } gone) return gone;
        var now = again.Value!;
        var latest = await db.QuerySingleAsync<long>("SELECT COALESCE(max(number), 0) FROM event_snapshots WHERE event_id = @id",
            new { id = now.Event.Id }, transaction);
        if (!now.Event.IsClosed || latest != number - 1 || await EventSnapshots.MarkAsync(db, now, transaction) != mark)
            return Refusal.Conflict($"Event {eventKey} changed while snapshot {number} was being made (another snapshot, a reopening or a " +
                                    "review); nothing was kept. Take the snapshot again.");
        await db.ExecuteAsync("""
            INSERT INTO event_snapshots (event_id, number, taken_at, taken_by, event_stamp, results_mark, numbers)
            VALUES (@eventId, @number, @at, @by, @stamp, @mark, @numbers)
            """, new
        {
            eventId = now.Event.Id, number, at = Clock.Format(takenAt), by = caller.TokenId, stamp = now.Event.UpdatedAt, mark,
            numbers = JsonSerializer.Serialize(numbers, JsonSerializerOptions.Web),
        }, transaction);
        foreach (var (variant, format, content) in files)
            await db.ExecuteAsync("""
                INSERT INTO snapshot_files (event_id, number, variant, format, sha256, size, content)
                VALUES (@eventId, @number, @variant, @format, @sha256, @size, @content)
                """, new
            {
                eventId = now.Event.Id, number, variant, format, sha256 = Convert.ToHexStringLower(SHA256.HashData(content)),
                size = content.Length, content,
            }, transaction);
        await Audit.RecordAsync(db, transaction, caller, "event.snapshot", $"{eventKey}: snapshot {number}");
        var info = (await EventSnapshots.ListAsync(db, now, transaction)).Single(s => s.Number == number);
        transaction.Commit();
        return info;
    }

    private static async Task<Results<Ok<IReadOnlyList<SnapshotInfo>>, ProblemHttpResult>> List(string @event, HttpContext context,
        Database database, PlanningCache plannings)
    {
        await using var connection = await database.OpenAsync();
        var gate = await EventGate.OpenAsync(connection, plannings, @event, context.Caller(), EventNeed.Read);
        if (gate.Refusal is { } refusal) return Problems.Of(refusal);
        return TypedResults.Ok(await EventSnapshots.ListAsync(connection, gate.Value!));
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> DownloadAsync(string eventKey, long number, bool anonymize,
        string format, HttpContext context, Database database, PlanningCache plannings)
    {
        await using var connection = await database.OpenAsync();
        var gate = await EventGate.OpenAsync(connection, plannings, eventKey, context.Caller(), EventNeed.Read);
        if (gate.Refusal is { } refusal) return Problems.Of(refusal);
        if (await FileAsync(connection, gate.Value!.Event, number, anonymize, format, context,
                ReportsApi.FileName(eventKey, anonymize, format, number)) is { } file)
            return file;
        return Problems.NotFound($"Event {eventKey} has no snapshot {number}; GET /api/events/{eventKey}/snapshots lists them.");
    }

    private sealed record StoredFile
    {
        public string Sha256 { get; init; } = "";
        public byte[] Content { get; init; } = [];
    }

    /// <summary>
    /// A kept report as it was written, with its SHA-256 as the representation digest (RFC 9530) and an ETag; null when
    /// there is no such snapshot.
    /// </summary>
    public static async Task<FileContentHttpResult?> FileAsync(DbConnection connection, EventRow @event, long number,
        bool anonymize, string format, HttpContext context, string fileName)
    {
        var file = await connection.QuerySingleOrDefaultAsync<StoredFile>(
            "SELECT sha256, content FROM snapshot_files WHERE event_id = @id AND number = @number AND variant = @variant AND format = @format",
            new { id = @event.Id, number, variant = anonymize ? "anonymised" : "full", format });
        if (file is null) return null;
        context.Response.Headers["Repr-Digest"] = $"sha-256=:{Convert.ToBase64String(Convert.FromHexString(file.Sha256))}:";
        return TypedResults.File(file.Content, format == "xlsx" ? ExcelReport.ContentType : PdfReport.ContentType,
            fileName, entityTag: new Microsoft.Net.Http.Headers.EntityTagHeaderValue($"\"{file.Sha256}\""));
    }
}
