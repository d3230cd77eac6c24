using System.Net;
using System.Security.Cryptography;
using ClosedXML.Excel;
using Dapper;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Storage;
using InteropTracker.Tests.EventResults;
using System.Data.Common;
using UglyToad.PdfPig;

namespace InteropTracker.Tests.Reports;

/// <summary>
/// The end of an event's life: snapshots frozen with their hashes, a publication that names one and serves its bytes on
/// every download after (whatever is refused or reopened since), the review window, and reports marked provisional.
/// </summary>
public sealed class SnapshotTests(AppFixture app) : IClassFixture<AppFixture>
{
    private readonly Build _build = new(seed: 4242);

    private static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    private static async Task<byte[]> Bytes(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await response.Content.ReadAsByteArrayAsync();
    }

    private static Task<List<SnapshotInfo>> Snapshots(HttpClient client, string @event) =>
        client.GetAsync($"/api/events/{@event}/snapshots").ReadJson<List<SnapshotInfo>>();

    private static Task<SnapshotInfo> Take(HttpClient chair, string @event) =>
        chair.PostJson($"/api/events/{@event}/snapshots", new { }).ReadJson<SnapshotInfo>(HttpStatusCode.Created);

    private static string File(SnapshotInfo snapshot, string variant, string format) =>
        snapshot.Files.Single(f => f.Variant == variant && f.Format == format).Sha256;

    /// <summary>An open event with a few results logged by both sides.</summary>
    private async Task<TestFloor> FloorWithResultsAsync()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        await floor.Log(floor.EngineerA, floor.Result(TestFloor.Call, floor.A1, floor.B1));
        await floor.Log(floor.EngineerB, floor.Result(TestFloor.Call, floor.B1, floor.A1, "fail", notes: "No video"));
        await floor.Log(floor.EngineerC, floor.Result(TestFloor.Sharing, floor.C1, floor.A1));
        return floor;
    }

    private string EventRow(string @event)
    {
        using var db = app.OpenDatabase();
        return db.QuerySingle<string>(
            "SELECT status || published || COALESCE(CAST(published_snapshot AS TEXT), '-') || COALESCE(review_until, '-') || (SELECT count(*) FROM event_snapshots s WHERE s.event_id = e.id) FROM events e WHERE key = @key",
            new { key = @event });
    }

    [Fact]
    public async Task A_snapshot_is_taken_of_a_closed_event_only_numbered_and_each_report_kept_with_its_sha256()
    {
        var floor = await FloorWithResultsAsync();
        var open = await Problem.ReadAsync(await floor.Chair.PostJson($"/api/events/{floor.Event}/snapshots", new { }), HttpStatusCode.Conflict);
        Assert.Contains("Close it first", open.Detail);
        Assert.Empty(await Snapshots(floor.Chair, floor.Event));
        await Problem.ReadAsync(await floor.EngineerA.PostJson($"/api/events/{floor.Event}/snapshots", new { }), HttpStatusCode.Forbidden);

        await floor.Chair.MoveTo(floor.Event, "closed");
        var first = await Take(floor.Chair, floor.Event);
        var second = await Take(floor.Chair, floor.Event);
        Assert.Equal((1, 2), (first.Number, second.Number));
        Assert.Equal(4, first.Files.Count);
        Assert.False(first.Stale);
        Assert.Equal((3L, 2L, 1L), (first.Numbers!.Total.Executed, first.Numbers.Total.Pass, first.Numbers.Total.Fail));

        foreach (var file in first.Files)
        {
            var response = await floor.Member.GetAsync(file.Url);
            var bytes = await response.Content.ReadAsByteArrayAsync();
            Assert.Equal(file.Sha256, Sha256(bytes));
            Assert.Equal(file.Size, bytes.Length);
            Assert.Equal($"sha-256=:{Convert.ToBase64String(SHA256.HashData(bytes))}:", response.Headers.GetValues("Repr-Digest").Single());
            Assert.Equal(bytes, await Bytes(floor.Member, file.Url));
        }
        var listed = await Snapshots(floor.Member, floor.Event);
        Assert.Equal([1L, 2L], listed.Select(s => s.Number));
        Assert.Equal(first.Files.Select(f => f.Sha256), listed[0].Files.Select(f => f.Sha256));

        // The snapshot's reports say which snapshot they are, and are not provisional.
        var workbook = await Bytes(floor.Member, first.Files.Single(f => f.Variant == "full" && f.Format == "xlsx").Url);
        using (var xlsx = new XLWorkbook(new MemoryStream(workbook)))
        {
            var summary = xlsx.Worksheet("Summary");
            Assert.Equal("Interop report", summary.Cell(1, 1).GetString());
            Assert.Contains(summary.RangeUsed()!.Cells(), c => c.GetString() == "closed, snapshot 1 (final)");
        }

        await Problem.ReadAsync(await floor.EngineerD.GetAsync($"/api/events/{floor.Event}/snapshots"), HttpStatusCode.NotFound);
        await Problem.ReadAsync(await floor.Member.GetAsync($"/api/events/{floor.Event}/snapshots/9/report.pdf"), HttpStatusCode.NotFound);

        using var db = app.OpenDatabase();
        var tamper = Assert.ThrowsAny<DbException>(() =>
            db.Execute("UPDATE snapshot_files SET content = @content WHERE number = 1", new { content = new byte[] { 0 } }));
        Assert.Contains("snapshots are immutable", tamper.Message);
        Assert.Contains("snapshots are immutable", Assert.ThrowsAny<DbException>(() => db.Execute("DELETE FROM event_snapshots")).Message);
    }

    [Fact]
    public async Task Publishing_names_a_snapshot_and_every_download_after_serves_its_bytes_through_refused_writes_and_a_reopening()
    {
        var floor = await FloorWithResultsAsync();
        var admin = app.Admin();
        var anonymous = app.Anonymous();
        await floor.Chair.MoveTo(floor.Event, "closed");
        var before = EventRow(floor.Event);

        var none = await Problem.ReadAsync(
            await floor.Chair.PostJson($"/api/events/{floor.Event}/status", new { status = "closed", published = true }), HttpStatusCode.Conflict);
        Assert.Contains($"POST /api/events/{floor.Event}/snapshots", none.Detail);
        Assert.Equal(before, EventRow(floor.Event));

        var first = await Take(floor.Chair, floor.Event);
        await Take(floor.Chair, floor.Event);
        var missing = await Problem.ReadAsync(
            await floor.Chair.PostJson($"/api/events/{floor.Event}/status", new { status = "closed", published = true, snapshot = 7 }),
            HttpStatusCode.UnprocessableEntity);
        Assert.Contains("has snapshots 1, 2", missing.Errors["snapshot"][0]);

        var published = await floor.Chair.PostJson($"/api/events/{floor.Event}/status", new { status = "closed", published = true, snapshot = 1 })
            .ReadJson<EventInfo>();
        Assert.Equal((true, 1L), (published.Published, published.PublishedSnapshot));

        var anonymisedPdf = $"/api/events/{floor.Event}/report.pdf?anonymize=true";
        var anonymisedXlsx = $"/api/events/{floor.Event}/report.xlsx?anonymize=true";
        var fullXlsx = $"/api/events/{floor.Event}/report.xlsx";
        async Task ServesSnapshot(SnapshotInfo snapshot)
        {
            for (var i = 0; i < 2; i++)
            {
                Assert.Equal(File(snapshot, "anonymised", "pdf"), Sha256(await Bytes(anonymous, anonymisedPdf)));
                Assert.Equal(File(snapshot, "anonymised", "xlsx"), Sha256(await Bytes(anonymous, anonymisedXlsx)));
                Assert.Equal(File(snapshot, "full", "xlsx"), Sha256(await Bytes(floor.Member, fullXlsx)));
                Assert.Equal(File(snapshot, "full", "pdf"), Sha256(await Bytes(floor.EngineerA, $"/api/events/{floor.Event}/report.pdf")));
            }
        }
        await ServesSnapshot(first);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync(fullXlsx)).StatusCode);

        // Writes are refused in the closed event; the chair may not reopen it.
        var refused = await floor.EngineerA.PostJson(floor.Results, floor.Result(TestFloor.Call, floor.A1, floor.C1));
        await Problem.ReadAsync(refused, HttpStatusCode.Conflict);
        var reopen = await Problem.ReadAsync(
            await floor.Chair.PostJson($"/api/events/{floor.Event}/status", new { status = "open" }), HttpStatusCode.Forbidden);
        Assert.Contains("only an admin may reopen it", reopen.Detail);
        await ServesSnapshot(first);

        // An admin reopens it: results change, the publication keeps serving snapshot 1.
        var reopened = await admin.PostJson($"/api/events/{floor.Event}/status", new { status = "open" }).ReadJson<EventInfo>();
        Assert.Equal(("open", true, 1L), (reopened.Status, reopened.Published, reopened.PublishedSnapshot));
        await floor.Log(floor.EngineerA, floor.Result(TestFloor.Call, floor.A1, floor.C1, "fail"));
        await ServesSnapshot(first);

        // Closed again, the old snapshots no longer match the event; a new one is published and served from then on.
        await floor.Chair.MoveTo(floor.Event, "closed");
        var stale = await Problem.ReadAsync(
            await floor.Chair.PostJson($"/api/events/{floor.Event}/status", new { status = "closed", published = true, snapshot = 2 }), HttpStatusCode.Conflict);
        Assert.Contains("no longer matches the event", stale.Detail);
        Assert.All(await Snapshots(floor.Chair, floor.Event), s => Assert.True(s.Stale));
        var third = await Take(floor.Chair, floor.Event);
        Assert.Equal(3, third.Number);
        Assert.Equal(4L, third.Numbers!.Total.Executed);
        var republished = await floor.Chair.PostJson($"/api/events/{floor.Event}/status", new { status = "closed", published = true })
            .ReadJson<EventInfo>();
        Assert.Equal(3L, republished.PublishedSnapshot);
        await ServesSnapshot(third);
        var list = await Snapshots(floor.Member, floor.Event);
        Assert.Equal([false, false, true], list.Select(s => s.Published));
        Assert.Equal(first.Files.Select(f => f.Sha256), list[0].Files.Select(f => f.Sha256));
    }

    [Fact]
    public async Task A_review_window_lets_vendors_dispute_in_the_closed_event_and_holds_publication_until_it_ends()
    {
        var floor = await FloorWithResultsAsync();
        var until = DateTime.UtcNow.AddHours(2);
        var closed = await floor.Chair.PostJson($"/api/events/{floor.Event}/status",
            new { status = "closed", reviewUntil = until.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'") }).ReadJson<EventInfo>();
        Assert.StartsWith(until.ToString("yyyy-MM-dd'T'HH:mm:ss"), closed.ReviewUntil);
        await Take(floor.Chair, floor.Event);
        var before = EventRow(floor.Event);

        var early = await Problem.ReadAsync(
            await floor.Chair.PostJson($"/api/events/{floor.Event}/status", new { status = "closed", published = true }), HttpStatusCode.Conflict);
        Assert.Contains($"review window until {closed.ReviewUntil}", early.Detail);
        Assert.Equal(before, EventRow(floor.Event));

        // B's engineer disputes A's result in the closed event; logging stays refused.
        var ofA = await floor.EngineerB.GetAsync($"{floor.Results}?product={floor.A1.Key}&case={TestFloor.Call}").ReadJson<System.Text.Json.JsonElement>();
        var id = Ids(ofA).First();
        var disputed = await floor.EngineerB.PostJson($"{floor.Results}/{id}/dispute", new { reason = "We saw no video" });
        Assert.Equal(HttpStatusCode.OK, disputed.StatusCode);
        await Problem.ReadAsync(await floor.EngineerB.PostJson(floor.Results, floor.Result(TestFloor.Dtmf, floor.B1, floor.C1)), HttpStatusCode.Conflict);

        // The window ends (set in the past); the snapshot taken before the dispute no longer matches.
        var ended = DateTime.UtcNow.AddMinutes(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'");
        await floor.Chair.PostJson($"/api/events/{floor.Event}/status", new { status = "closed", reviewUntil = ended }).ReadJson<EventInfo>();
        var stale = await Problem.ReadAsync(
            await floor.Chair.PostJson($"/api/events/{floor.Event}/status", new { status = "closed", published = true }), HttpStatusCode.Conflict);
        Assert.Contains("no longer matches", stale.Detail);
        var after = await Problem.ReadAsync(await floor.EngineerB.PostJson($"{floor.Results}/{id}/dispute", new { reason = "Again" }), HttpStatusCode.Conflict);
        Assert.Contains("review window ended", after.Detail);

        var snapshot = await Take(floor.Chair, floor.Event);
        Assert.Equal(1L, snapshot.Numbers!.Disputed);
        var published = await floor.Chair.PostJson($"/api/events/{floor.Event}/status", new { status = "closed", published = true }).ReadJson<EventInfo>();
        Assert.Equal(2L, published.PublishedSnapshot);

        var bad = await Problem.ReadAsync(
            await floor.Chair.PostJson($"/api/events/{floor.Event}/status", new { status = "closed", reviewUntil = "next friday" }), HttpStatusCode.BadRequest);
        Assert.Contains("2026-03-20T18:00:00Z", bad.Errors["reviewUntil"][0]);
    }

    private static IEnumerable<long> Ids(System.Text.Json.JsonElement page) =>
        (page.ValueKind == System.Text.Json.JsonValueKind.Array ? page : page.GetProperty("items"))
            .EnumerateArray().Select(r => r.GetProperty("id").GetInt64());

    [Fact]
    public async Task Reports_and_the_event_say_provisional_until_published_and_a_new_event_may_set_its_review_window()
    {
        var floor = await FloorWithResultsAsync();
        var xlsx = await Bytes(floor.Member, $"/api/events/{floor.Event}/report.xlsx");
        using (var workbook = new XLWorkbook(new MemoryStream(xlsx)))
            Assert.Equal("Interop report (provisional)", workbook.Worksheet("Summary").Cell(1, 1).GetString());
        var pdf = await Bytes(floor.Member, $"/api/events/{floor.Event}/report.pdf?anonymize=true");
        using (var document = PdfDocument.Open(pdf))
        {
            Assert.Contains("Interop report (provisional)", document.GetPage(1).Text);
            Assert.Contains("Executive summary (provisional)", document.GetPage(2).Text);
            Assert.Contains("provisional", document.Information.Title);
        }

        var chair = floor.Chair;
        var withWindow = await chair.Create(_build.Event(floor.Sip) with { ReviewUntil = "2030-01-31T17:00:00+01:00" });
        Assert.Equal("2030-01-31T16:00:00.0000000Z", withWindow.ReviewUntil);
        var bad = await Problem.ReadAsync(await chair.PostJson("/api/events", _build.Event(floor.Sip) with { ReviewUntil = "tomorrow" }),
            HttpStatusCode.BadRequest);
        Assert.Equal(["reviewUntil"], bad.Errors.Keys);
        Assert.Equal(Clock.Format(new DateTime(2030, 1, 31, 16, 0, 0, DateTimeKind.Utc)), withWindow.ReviewUntil);
    }
}
