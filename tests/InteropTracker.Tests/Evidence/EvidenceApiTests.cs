using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Dapper;
using InteropTracker.Core;
using InteropTracker.Evidence;
using InteropTracker.EventResults;
using InteropTracker.Tests.EventResults;

namespace InteropTracker.Tests.Evidence;

/// <summary>An app whose evidence has a folder of its own and small limits, so that a test can reach them.</summary>
public sealed class EvidenceFixture : AppFixture
{
    public const long MaxFileBytes = 64 * 1024;
    public const long QuotaBytes = 160 * 1024;

    public string Folder { get; } = Path.Combine(Path.GetTempPath(), "interop-tests", $"evidence-{Guid.NewGuid():N}");

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Evidence:Folder"] = Folder,
        ["Evidence:MaxFileBytes"] = MaxFileBytes.ToString(),
        ["Evidence:QuotaBytesPerEvent"] = QuotaBytes.ToString(),
    };

    /// <summary>The files kept in the folder (not those still coming in), by name in order, one string to compare.</summary>
    public string Kept() =>
        Directory.Exists(Folder) ? string.Join(" ", Directory.GetFiles(Folder).Select(f => Path.GetFileName(f)).Order()) : "";
}

public sealed class EvidenceApiTests(EvidenceFixture app) : IClassFixture<EvidenceFixture>
{
    private readonly Build _build = new(seed: 41);

    /// <summary>A pcap file: the little-endian magic, then a few bytes that differ from file to file.</summary>
    public static byte[] Pcap(int size = 200, int seed = 1)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        new byte[] { 0xD4, 0xC3, 0xB2, 0xA1 }.CopyTo(bytes, 0);
        return bytes;
    }

    public static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52];

    public static MultipartFormDataContent File(string name, byte[] bytes)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        form.Add(file, "file", name);
        return form;
    }

    private static string Evidence(TestFloor floor, long result) => $"{floor.Results}/{result}/evidence";

    private async Task<(TestFloor Floor, ResultInfo Result)> FailedCallAsync()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var result = await floor.Log(floor.EngineerA, floor.Result(TestFloor.Call, floor.A1, floor.B1, "fail"));
        return (floor, result);
    }

    private (long Rows, long Audits) Stored()
    {
        using var db = app.OpenDatabase();
        return db.QuerySingle<(long, long)>(
            "SELECT (SELECT count(*) FROM evidence), (SELECT count(*) FROM audit_log WHERE action LIKE 'evidence.%')");
    }

    [Fact]
    public async Task An_engineer_attaches_a_trace_and_both_sides_chairs_and_admins_download_it_as_an_attachment()
    {
        var (floor, result) = await FailedCallAsync();
        var trace = Pcap(3000);

        var response = await floor.EngineerA.PostAsync(Evidence(floor, result.Id), File("call.pcap", trace));
        var attached = await response.ReadJson<EvidenceInfo>(HttpStatusCode.Created);

        var sha = Convert.ToHexStringLower(SHA256.HashData(trace));
        Assert.Equal((1L, "call.pcap", 3000L, sha), (attached.N, attached.Name, attached.Size, attached.Sha256));
        Assert.Equal($"{Evidence(floor, result.Id)}/1", response.Headers.Location?.OriginalString);
        Assert.Contains(sha, app.Kept());
        Assert.Equal(trace, await System.IO.File.ReadAllBytesAsync(Path.Combine(app.Folder, sha)));

        var admin = app.Admin();
        foreach (var reader in new[] { floor.EngineerA, floor.EngineerB, floor.Chair, admin })
        {
            var list = await reader.GetAsync(Evidence(floor, result.Id)).ReadJson<List<EvidenceInfo>>();
            Assert.Equal([attached], list);
            using var download = await reader.GetAsync($"{Evidence(floor, result.Id)}/1");
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
            Assert.Equal(trace, await download.Content.ReadAsByteArrayAsync());
            Assert.Equal("attachment", download.Content.Headers.ContentDisposition?.DispositionType);
            Assert.Equal("call.pcap", download.Content.Headers.ContentDisposition?.FileNameStar ?? download.Content.Headers.ContentDisposition?.FileName);
            Assert.Equal("application/vnd.tcpdump.pcap", download.Content.Headers.ContentType?.MediaType);
            Assert.Equal("nosniff", download.Headers.GetValues("X-Content-Type-Options").Single());
        }
        using var db = app.OpenDatabase();
        Assert.Contains($"result {result.Id} evidence 1 call.pcap", db.QuerySingle<string>(
            "SELECT subject FROM audit_log WHERE action = 'evidence.attach' ORDER BY id DESC LIMIT 1"));
    }

    [Fact]
    public async Task A_member_and_another_vendors_engineer_are_told_there_is_no_such_result_and_anonymous_callers_to_sign_in()
    {
        var (floor, result) = await FailedCallAsync();
        await floor.EngineerA.PostAsync(Evidence(floor, result.Id), File("call.pcap", Pcap(seed: 2)));
        var otherVendorInEvent = floor.EngineerC; // c1 takes part in the event, but not in this pairing

        foreach (var outsider in new[] { floor.Member, otherVendorInEvent, floor.EngineerD })
        {
            foreach (var url in new[] { Evidence(floor, result.Id), $"{Evidence(floor, result.Id)}/1" })
            {
                var problem = await Problem.ReadAsync(await outsider.GetAsync(url), HttpStatusCode.NotFound);
                Assert.DoesNotContain("call.pcap", problem.Text);
            }
        }
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync(Evidence(floor, result.Id))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync($"{Evidence(floor, result.Id)}/1")).StatusCode);

        var before = Stored();
        await Problem.ReadAsync(await otherVendorInEvent.PostAsync(Evidence(floor, result.Id), File("mine.pcap", Pcap(seed: 3))),
            HttpStatusCode.NotFound);
        await Problem.ReadAsync(await floor.Member.PostAsync(Evidence(floor, result.Id), File("mine.pcap", Pcap(seed: 3))),
            HttpStatusCode.Forbidden);
        await Problem.ReadAsync(await otherVendorInEvent.DeleteAsync($"{Evidence(floor, result.Id)}/1"), HttpStatusCode.NotFound);
        Assert.Equal(before, Stored());
    }

    public static TheoryData<string, byte[], HttpStatusCode, string> BadFiles => new()
    {
        { "shot.pcap", Png, HttpStatusCode.UnprocessableEntity, "not a pcap capture" },
        { "trace.pcapng", Pcap(), HttpStatusCode.UnprocessableEntity, "not a pcapng capture" },
        { "screen.png", Pcap(), HttpStatusCode.UnprocessableEntity, "not a PNG image" },
        { "photo.jpg", Png, HttpStatusCode.UnprocessableEntity, "not a JPEG image" },
        { "sip.log", [0x48, 0x69, 0xC3, 0x28, 0x0A], HttpStatusCode.UnprocessableEntity, "byte 3 is not valid UTF-8" },
        { "notes.txt", Pcap(), HttpStatusCode.UnprocessableEntity, "not UTF-8 text" },
        { "stats.json", Encoding.UTF8.GetBytes("{\"calls\": [1, 2,"), HttpStatusCode.UnprocessableEntity, "not JSON" },
        { "stats.json", Encoding.UTF8.GetBytes("{\"a\": 1} {\"b\": 2}"), HttpStatusCode.UnprocessableEntity, "not JSON" },
        { "../../etc/call.pcap", Pcap(), HttpStatusCode.BadRequest, "is a path" },
        { "C:\\traces\\call.pcap", Pcap(), HttpStatusCode.BadRequest, "is a path" },
        { "call.exe", Pcap(), HttpStatusCode.BadRequest, "not a kind of evidence" },
        { "empty.txt", [], HttpStatusCode.BadRequest, "is empty" },
    };

    [Theory, MemberData(nameof(BadFiles))]
    public async Task A_file_that_is_not_what_its_name_says_is_refused_with_the_reason_and_nothing_is_kept(string name, byte[] bytes,
        HttpStatusCode status, string reason)
    {
        var (floor, result) = await FailedCallAsync();
        var (before, kept) = (Stored(), app.Kept());

        var problem = await Problem.ReadAsync(await floor.EngineerA.PostAsync(Evidence(floor, result.Id), File(name, bytes)), status);

        Assert.Contains(reason, problem.Text);
        Assert.Contains("file", problem.Errors.Keys);
        Assert.Equal(before, Stored());
        Assert.Equal(kept, app.Kept());
        Assert.Empty(Directory.GetFiles(Path.Combine(app.Folder, "incoming")));
    }

    [Fact]
    public async Task Good_files_of_every_kind_are_taken()
    {
        var (floor, result) = await FailedCallAsync();
        var pcapng = new byte[40];
        new byte[] { 0x0A, 0x0D, 0x0D, 0x0A, 28, 0, 0, 0, 0x4D, 0x3C, 0x2B, 0x1A }.CopyTo(pcapng, 0);
        var files = new (string, byte[])[]
        {
            ("a.pcapng", pcapng), ("b.png", Png), ("c.jpg", [0xFF, 0xD8, 0xFF, 0xE0, 0, 16]), ("d.log", Encoding.UTF8.GetBytes("INVITE sip:b@example.com — 200 OK\n")),
            ("e.txt", Encoding.UTF8.GetBytes("ok")), ("f.json", Encoding.UTF8.GetBytes("{\"rtt\": [12, 14], \"codec\": \"VP8 \\u00e9\"}")),
        };
        foreach (var (name, bytes) in files)
            await floor.EngineerB.PostAsync(Evidence(floor, result.Id), File(name, bytes)).ReadJson<EvidenceInfo>(HttpStatusCode.Created);

        var list = await floor.EngineerA.GetAsync(Evidence(floor, result.Id)).ReadJson<List<EvidenceInfo>>();
        Assert.Equal(files.Select((f, i) => (i + 1L, f.Item1)), list.Select(e => (e.N, e.Name)));
    }

    [Fact]
    public async Task A_file_over_the_size_limit_or_the_events_quota_is_refused_with_413_and_nothing_is_kept()
    {
        var (floor, result) = await FailedCallAsync();
        var before = (Stored(), app.Kept());

        var tooBig = await Problem.ReadAsync(await floor.EngineerA.PostAsync(Evidence(floor, result.Id),
            File("big.pcap", Pcap((int)EvidenceFixture.MaxFileBytes + 1))), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains("at most 0.06 MB", tooBig.Text);
        Assert.Equal(before, (Stored(), app.Kept()));

        // Two files of 60 KiB fit in the 160 KiB quota; a third does not.
        for (var i = 0; i < 2; i++)
            await floor.EngineerA.PostAsync(Evidence(floor, result.Id), File($"part{i}.pcap", Pcap(60 * 1024, seed: 100 + i)))
                .ReadJson<EvidenceInfo>(HttpStatusCode.Created);
        var full = (Stored(), app.Kept());
        var over = await Problem.ReadAsync(await floor.EngineerA.PostAsync(Evidence(floor, result.Id),
            File("part2.pcap", Pcap(60 * 1024, seed: 102))), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains($"Event {floor.Event} holds 0.12 MB of evidence, and its quota is 0.16 MB", over.Text);
        Assert.Equal(full, (Stored(), app.Kept()));
    }

    [Fact]
    public async Task A_closed_or_published_event_takes_no_evidence_and_keeps_what_it_has()
    {
        var (floor, result) = await FailedCallAsync();
        await floor.EngineerA.PostAsync(Evidence(floor, result.Id), File("kept.pcap", Pcap(seed: 7))).ReadJson<EvidenceInfo>(HttpStatusCode.Created);
        await floor.Chair.MoveTo(floor.Event, "closed");
        var before = (Stored(), app.Kept());

        var closed = await Problem.ReadAsync(await floor.EngineerA.PostAsync(Evidence(floor, result.Id), File("late.pcap", Pcap(seed: 8))),
            HttpStatusCode.Conflict);
        Assert.Contains($"Event {floor.Event} is closed", closed.Text);
        await Problem.ReadAsync(await floor.EngineerA.DeleteAsync($"{Evidence(floor, result.Id)}/1"), HttpStatusCode.Conflict);

        await floor.Chair.MoveTo(floor.Event, "closed", published: true);
        var published = await Problem.ReadAsync(await app.Admin().PostAsync(Evidence(floor, result.Id), File("late.pcap", Pcap(seed: 8))),
            HttpStatusCode.Conflict);
        Assert.Contains("is published", published.Text);
        Assert.Equal(before, (Stored(), app.Kept()));
        Assert.Single(await floor.EngineerB.GetAsync(Evidence(floor, result.Id)).ReadJson<List<EvidenceInfo>>());
    }

    [Fact]
    public async Task Removing_evidence_is_audited_and_keeps_the_bytes_while_another_result_holds_the_same_file()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var first = await floor.Log(floor.EngineerA, floor.Result(TestFloor.Call, floor.A1, floor.B1, "fail"));
        var second = await floor.Log(floor.EngineerA, floor.Result(TestFloor.Call, floor.B1, floor.A1, "fail"));
        var trace = Pcap(seed: 55);
        var sha = Convert.ToHexStringLower(SHA256.HashData(trace));
        await floor.EngineerA.PostAsync(Evidence(floor, first.Id), File("shared.pcap", trace)).ReadJson<EvidenceInfo>(HttpStatusCode.Created);
        await floor.EngineerB.PostAsync(Evidence(floor, second.Id), File("same.pcap", trace)).ReadJson<EvidenceInfo>(HttpStatusCode.Created);

        var removed = await floor.EngineerA.DeleteAsync($"{Evidence(floor, first.Id)}/1").ReadJson<EvidenceInfo>();
        Assert.Equal("shared.pcap", removed.Name);
        Assert.Contains(sha, app.Kept());
        Assert.Empty(await floor.EngineerA.GetAsync(Evidence(floor, first.Id)).ReadJson<List<EvidenceInfo>>());
        var stillThere = await floor.EngineerA.GetAsync($"{Evidence(floor, second.Id)}/1");
        Assert.Equal(trace, await stillThere.Content.ReadAsByteArrayAsync());

        await floor.EngineerB.DeleteAsync($"{Evidence(floor, second.Id)}/1").ReadJson<EvidenceInfo>();
        Assert.DoesNotContain(sha, app.Kept());
        await Problem.ReadAsync(await floor.EngineerA.GetAsync($"{Evidence(floor, second.Id)}/1"), HttpStatusCode.NotFound);

        using var db = app.OpenDatabase();
        var audits = db.Query<string>("SELECT subject FROM audit_log WHERE action = 'evidence.remove' ORDER BY id DESC LIMIT 2").ToList();
        Assert.Contains(audits, a => a.Contains($"result {first.Id} evidence 1 shared.pcap"));
        Assert.Contains(audits, a => a.Contains($"result {second.Id} evidence 1 same.pcap"));
    }

    [Fact]
    public void Json_split_anywhere_across_pieces_is_read_as_one_document()
    {
        var json = Encoding.UTF8.GetBytes("{\"calls\": [{\"codec\": \"VP8 é\", \"rtt\": 12.5}, null, true], \"n\": \"x\"}");
        for (var cut = 1; cut < json.Length; cut++)
        {
            var check = EvidenceContent.For("json");
            check.Write(json.AsSpan(0, cut));
            check.Write(json.AsSpan(cut));
            Assert.Null(check.Finish());
        }
        var broken = EvidenceContent.For("json");
        broken.Write(json.AsSpan(0, json.Length - 1));
        Assert.NotNull(broken.Finish());
    }
}
