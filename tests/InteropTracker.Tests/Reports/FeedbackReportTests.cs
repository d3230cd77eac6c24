using System.Net;
using ClosedXML.Excel;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.EventResults;
using InteropTracker.Events;
using InteropTracker.Tests.Access;
using InteropTracker.Tests.EventResults;
using UglyToad.PdfPig;

namespace InteropTracker.Tests.Reports;

/// <summary>
/// A chair reads "Feedback on the test-case documents" (failures by cause, with each case's references), and issue
/// references link to the event's bug tracker on the pages and in the workbook.
/// </summary>
public class FeedbackReportTests(AppFixture app) : IClassFixture<AppFixture>
{
    private readonly Build _build = new(seed: 45);
    private const string Template = "https://bugs.example/browse/{issue}";

    private sealed record World(string Event, string Plan, HttpClient Chair, HttpClient Engineer, string A, string B);

    /// <summary>An event whose issues link to a tracker, a plan with references, and failures of every kind of cause.</summary>
    private async Task<World> WorldAsync()
    {
        var chair = await app.ClientFor(Roles.Chair);
        var plan = Build.UniqueKey("fb-plan");
        var yaml = $"""
            plan: {plan}
            title: Feedback plan
            version: "1.0"
            technology: SIP
            sections:
              - id: basic
                title: Basic calls
                cases:
                  - id: FB-001
                    title: Basic call
                    purpose: Checks basic call
                    steps: [Run it]
                    expected: [It works]
                    priority: mandatory
                    references: ["RFC 3261 §13", "RFC 6184"]
                  - id: FB-002
                    title: Hold and resume
                    purpose: Checks hold and resume
                    steps: [Run it]
                    expected: [It works]
                    priority: mandatory
                    references: ["RFC 6337 §5.3"]
                  - id: FB-003
                    title: Early media
                    purpose: Checks early media
                    steps: [Run it]
                    expected: [It works]
                    priority: mandatory
            """;
        (await chair.PostAsync("/api/test-plans", TestFloor.Content(yaml, "application/yaml"))).EnsureSuccessStatusCode();
        var a = await chair.Register(_build.Organization());
        var b = await chair.Register(_build.Organization());
        var a1 = await chair.Register(_build.Product(a.Key) with { Technologies = ["SIP"], Capabilities = [] });
        var b1 = await chair.Register(_build.Product(b.Key) with { Technologies = ["SIP"], Capabilities = [] });
        var created = await chair.Create(_build.Event(plan) with { IssueUrlTemplate = Template });
        Assert.Equal(Template, created.IssueUrlTemplate);
        await chair.Enter(created.Key, a1.Key, b1.Key);
        await chair.MoveTo(created.Key, "open");
        var engineer = await app.ClientFor(Roles.Engineer, a.Key);
        var results = $"/api/events/{created.Key}/results";
        async Task<ResultInfo> LogAsync(string @case, string initiator, string responder, string verdict, string? cause, string? issue = null) =>
            await engineer.PostJson(results, new { plan, @case, initiator, responder, verdict, cause, issue }).ReadJson<ResultInfo>(HttpStatusCode.Created);
        // FB-002: two failures of the documents; FB-001: one of the specification and one of an implementation; FB-003: three, none of the documents.
        var traced = await LogAsync("FB-002", a1.Key, b1.Key, "fail", "test-case", "ACME-7");
        for (var i = 0; i < 2; i++)
            (await engineer.PostAsync($"{results}/{traced.Id}/evidence", Evidence.EvidenceApiTests.File($"call{i}.pcap",
                Evidence.EvidenceApiTests.Pcap(seed: 60 + i)))).EnsureSuccessStatusCode();
        await LogAsync("FB-002", b1.Key, a1.Key, "blocked", "test-case");
        await LogAsync("FB-001", a1.Key, b1.Key, "fail", "specification");
        await LogAsync("FB-001", b1.Key, a1.Key, "fail", "implementation");
        await LogAsync("FB-003", a1.Key, b1.Key, "fail", "setup");
        await LogAsync("FB-003", b1.Key, a1.Key, "fail", null);
        return new World(created.Key, plan, chair, engineer, a1.Key, b1.Key);
    }

    [Fact]
    public async Task The_workbook_has_the_feedback_sheet_worst_of_the_documents_first_and_issue_links_to_the_tracker()
    {
        var w = await WorldAsync();

        var bytes = await w.Chair.GetByteArrayAsync($"/api/events/{w.Event}/report.xlsx");
        using var workbook = new XLWorkbook(new MemoryStream(bytes));
        var sheet = workbook.Worksheet("Feedback");
        Assert.Equal(["Technology", "Plan", "Case", "Title", "Fail", "Blocked", "implementation", "test-case", "specification", "setup",
                "unknown", "not said", "References"],
            sheet.Row(2).CellsUsed().Select(c => c.GetString()));
        string Row(int r) => string.Join("|", Enumerable.Range(3, 10).Select(c => sheet.Cell(r, c).GetString()));
        Assert.Equal("FB-002|Hold and resume|1|1|0|2|0|0|0|0", Row(3));
        Assert.Equal("FB-001|Basic call|2|0|1|0|1|0|0|0", Row(4));
        Assert.Equal("FB-003|Early media|2|0|0|0|0|1|0|1", Row(5));
        Assert.Equal("RFC 3261 §13\nRFC 6184", sheet.Cell(4, 13).GetString());
        Assert.True(sheet.Cell(6, 3).IsEmpty());

        var results = workbook.Worksheet("Results");
        var issue = results.CellsUsed().Single(c => c.GetString() == "ACME-7");
        Assert.Equal("HYPERLINK(\"https://bugs.example/browse/ACME-7\",\"ACME-7\")", issue.FormulaA1);
        // The cause and the evidence count of each result (the evidence itself, its names, never).
        Assert.Equal(["Cause", "Evidence files"], results.Row(1).CellsUsed().Skip(13).Select(c => c.GetString()));
        Assert.Equal(("test-case", 2), (issue.CellRight(2).GetString(), issue.CellRight(3).GetValue<int>()));
        Assert.DoesNotContain(workbook.Worksheets.SelectMany(s => s.CellsUsed()), c => c.GetString().Contains("call0.pcap"));

        var anonymised = await w.Chair.GetByteArrayAsync($"/api/events/{w.Event}/report.xlsx?anonymize=true");
        using var open = new XLWorkbook(new MemoryStream(anonymised));
        Assert.Equal(3, open.Worksheet("Feedback").RowsUsed().Count() - 2);
        Assert.DoesNotContain(open.Worksheets.SelectMany(s => s.CellsUsed()), c => c.GetString().Contains("ACME-7") || c.FormulaA1.Contains("bugs.example"));
    }

    [Fact]
    public async Task The_pdf_has_the_feedback_section_with_each_cases_references()
    {
        var w = await WorldAsync();

        foreach (var anonymise in new[] { false, true })
        {
            var bytes = await w.Chair.GetByteArrayAsync($"/api/events/{w.Event}/report.pdf?anonymize={anonymise}");
            using var pdf = PdfDocument.Open(bytes);
            var page = pdf.GetPages().Single(p => p.Text.Contains("Feedback on the test-case documents")).Text;
            Assert.Contains("FB-002Holdandresume110200", string.Concat(page.Where(c => !char.IsWhiteSpace(c))));
            // The anonymised variant leaves the references out: section numbers read like the versions it never carries.
            Assert.Equal(!anonymise, page.Contains("RFC 6337 §5.3"));
            Assert.True(page.IndexOf("FB-002", StringComparison.Ordinal) < page.IndexOf("FB-001", StringComparison.Ordinal));
            Assert.DoesNotContain("ACME-7", string.Concat(pdf.GetPages().Select(p => p.Text)));
        }
    }

    [Fact]
    public async Task The_pairing_page_links_the_issue_through_the_events_template()
    {
        var w = await WorldAsync();
        var client = app.WithoutCookieJar();
        var cookie = await client.SignInAsync(await app.NewToken(Roles.Member));
        var request = new HttpRequestMessage(HttpMethod.Get, $"/events/{w.Event}/pairing?a={w.A}&b={w.B}");
        request.Headers.Add("Cookie", cookie);

        var html = await (await client.SendAsync(request)).Content.ReadAsStringAsync();

        Assert.Contains("<a href=\"https://bugs.example/browse/ACME-7\" rel=\"noreferrer\"><strong>ACME-7</strong></a>", html);
    }

    [Theory]
    [InlineData("javascript:alert(1)//{issue}", "not an http or https URL")]
    [InlineData("ftp://bugs.example/{issue}", "not an http or https URL")]
    [InlineData("https://bugs.example/browse/", "has no {issue}")]
    [InlineData("bugs.example/{issue}", "not an http or https URL")]
    public async Task An_issue_url_template_that_is_not_http_with_the_placeholder_is_refused_and_no_event_is_made(string template,
        string reason)
    {
        var chair = await app.ClientFor(Roles.Chair);
        var plan = await chair.LoadPlan(Build.Plan(new CaseSpec { Id = "T-1" }));
        var body = _build.Event(plan.Plan) with { IssueUrlTemplate = template };

        var problem = await Problem.ReadAsync(await chair.PostJson("/api/events", body), HttpStatusCode.BadRequest);

        Assert.Contains(reason, Assert.Single(problem.Errors["issueUrlTemplate"]));
        Assert.Equal(HttpStatusCode.NotFound, (await chair.GetAsync($"/api/events/{body.Key}")).StatusCode);
    }
}
