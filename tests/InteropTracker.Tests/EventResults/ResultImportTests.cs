using System.Net;
using System.Text;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Input;
using InteropTracker.Vendors;
using InteropTracker.EventResults;

namespace InteropTracker.Tests.EventResults;

public class ResultImportTests(AppFixture app) : IClassFixture<AppFixture>
{
    private readonly Build _build = new(seed: 13);

    private Task<TestFloor> Floor() => TestFloor.OpenAsync(app, _build);

    private static string Csv(params string[] rows) => string.Join("\r\n", rows) + "\r\n";

    private static string Row(TestFloor floor, string @case, Product initiator, Product responder, string verdict,
        string notes = "", string issue = "") =>
        $"{floor.Sip},{@case},{initiator.Key},{responder.Key},{verdict},{notes},{issue}";

    private const string Header = "plan,case,initiator,responder,verdict,notes,issue";

    [Fact]
    public async Task A_CSV_import_logs_every_row_and_rows_of_one_cell_become_revisions_in_order()
    {
        var floor = await Floor();
        var csv = Csv(Header,
            Row(floor, TestFloor.Call, floor.A1, floor.B1, "fail", "\"no video, only audio\"", "ACME-7"),
            Row(floor, TestFloor.Call, floor.B1, floor.A1, "pass"),
            Row(floor, TestFloor.Call, floor.A1, floor.B1, "pass", "\"fixed with build 2.1\r\nsecond line, and a \"\"quote\"\"\""),
            Row(floor, TestFloor.Sharing, floor.A1, floor.C1, "blocked", "projector missing"));

        var summary = await floor.Import(floor.EngineerA, csv).ReadJson<ResultImport.Summary>();

        Assert.Equal(new ResultImport.Summary(4, 3, 1), summary);
        var page = await floor.Member.GetAsync($"{floor.Results}?initiator={floor.A1.Key}&responder={floor.B1.Key}").ReadJson<ResultPage>();
        var cell = Assert.Single(page.Items);
        Assert.Equal((2L, "pass", "fixed with build 2.1\r\nsecond line, and a \"quote\"", null),
            (cell.Revision, cell.Verdict, cell.Notes, cell.Issue));
        var history = await floor.Member.GetAsync($"{floor.Results}/{cell.Id}/history").ReadJson<ResultsApi.ResultHistory>();
        Assert.Equal(["pass", "fail"], history.Revisions.Select(r => r.Verdict));
        Assert.Equal(("no video, only audio", "ACME-7"), (history.Revisions[1].Notes, history.Revisions[1].Issue));
        Assert.Equal(3, (await floor.Member.GetAsync(floor.Results).ReadJson<ResultPage>()).Total);
    }

    [Fact]
    public async Task A_JSON_array_imports_like_a_CSV_and_turns_non_directional_rows_to_the_stored_order()
    {
        var floor = await Floor();
        var (low, high) = string.CompareOrdinal(floor.B1.Key, floor.C1.Key) < 0 ? (floor.B1, floor.C1) : (floor.C1, floor.B1);
        var rows = new[]
        {
            floor.Result(TestFloor.Dtmf, high, low, "fail", "digits lost"),
            floor.Result(TestFloor.Call, floor.B1, floor.C1, "pass", issue: "B-1"),
            floor.Result(TestFloor.Dtmf, low, high, "pass"),
        };

        var summary = await floor.ImportJson(floor.EngineerB, rows).ReadJson<ResultImport.Summary>();

        Assert.Equal(new ResultImport.Summary(3, 2, 1), summary);
        var dtmf = Assert.Single((await floor.Member.GetAsync($"{floor.Results}?case={TestFloor.Dtmf}").ReadJson<ResultPage>()).Items);
        Assert.Equal((low.Key, high.Key, 2L, "pass"), (dtmf.Initiator, dtmf.Responder, dtmf.Revision, dtmf.Verdict));
    }

    [Fact]
    public async Task One_bad_row_in_the_middle_refuses_the_whole_file_listing_it_and_changes_nothing()
    {
        var floor = await Floor();
        await floor.Log(floor.EngineerA, floor.Result(TestFloor.Call, floor.A1, floor.B1));
        var before = floor.Counts();
        var csv = Csv(Header,
            Row(floor, TestFloor.Call, floor.A1, floor.C1, "pass"),
            Row(floor, TestFloor.Call, floor.A1, floor.B1, "fail"),
            Row(floor, TestFloor.Sharing, floor.A1, floor.B1, "pass"),
            Row(floor, TestFloor.Call, floor.C1, floor.A1, "pass"));

        var problem = await Problem.ReadAsync(await floor.Import(app.Admin(), csv), HttpStatusCode.UnprocessableEntity);

        Assert.Equal(["row 4"], problem.Errors.Keys);
        Assert.Contains("does not declare the capability 'bfcp'", problem.Errors["row 4"][0]);
        Assert.Contains("1 of 4 rows", problem.Detail);
        Assert.Equal(before, floor.Counts());
        Assert.Equal(1L, (await floor.Member.GetAsync(floor.Results).ReadJson<ResultPage>()).Items[0].Revision);
    }

    [Fact]
    public async Task Every_bad_row_is_listed_with_every_reason()
    {
        var floor = await Floor();
        var csv = Csv(Header,
            Row(floor, TestFloor.Call, floor.A1, floor.A2, "pass"),
            "",
            Row(floor, "NOPE-1", floor.A1, floor.Outsider, "great"),
            $"{floor.Sip},{TestFloor.Call},,{floor.B1.Key},,,");

        var problem = await Problem.ReadAsync(await floor.Import(app.Admin(), csv), HttpStatusCode.UnprocessableEntity);

        Assert.Equal(["row 2", "row 4", "row 5"], problem.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("same organization", problem.Errors["row 2"][0]);
        Assert.Equal(3, problem.Errors["row 4"].Length);
        Assert.Contains(problem.Errors["row 4"], m => m.StartsWith("verdict: 'great' is not a verdict"));
        Assert.Contains(problem.Errors["row 4"], m => m.StartsWith("case:") && m.Contains("NOPE-1"));
        Assert.Contains(problem.Errors["row 4"], m => m.StartsWith("responder:") && m.Contains(floor.Outsider.Key));
        Assert.Equal(["initiator: A value is required.", "verdict: A value is required."], problem.Errors["row 5"].Order());
        Assert.Equal((0L, 0L), floor.Counts());
    }

    [Fact]
    public async Task JSON_rows_are_named_by_their_index()
    {
        var floor = await Floor();
        var rows = new object[]
        {
            floor.Result(TestFloor.Call, floor.A1, floor.B1),
            floor.Result(TestFloor.Rtc, floor.C1, floor.A1, plan: floor.WebRtc),
        };
        var problem = await Problem.ReadAsync(await floor.ImportJson(app.Admin(), rows), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["[1]"], problem.Errors.Keys);
        Assert.Contains("does not declare the technology WebRTC", problem.Errors["[1]"][0]);
        Assert.Equal((0L, 0L), floor.Counts());
    }

    [Fact]
    public async Task An_engineer_imports_only_rows_of_its_own_pairings()
    {
        var floor = await Floor();
        var csv = Csv(Header,
            Row(floor, TestFloor.Call, floor.A1, floor.B1, "pass"),
            Row(floor, TestFloor.Call, floor.B1, floor.C1, "pass"));

        var problem = await Problem.ReadAsync(await floor.Import(floor.EngineerA, csv), HttpStatusCode.UnprocessableEntity);

        Assert.Equal(["row 3"], problem.Errors.Keys);
        Assert.Contains($"{floor.B1.Key} ({floor.B1.Organization}) → {floor.C1.Key} ({floor.C1.Organization})", problem.Errors["row 3"][0]);
        Assert.Equal((0L, 0L), floor.Counts());
    }

    [Theory]
    [InlineData(Roles.Chair)]
    [InlineData(Roles.Member)]
    public async Task Chairs_and_members_import_nothing(string role)
    {
        var floor = await Floor();
        var csv = Csv(Header, Row(floor, TestFloor.Call, floor.A1, floor.B1, "pass"));
        await Problem.ReadAsync(await floor.Import(await app.ClientFor(role), csv), HttpStatusCode.Forbidden);
        await Problem.ReadAsync(await floor.Import(app.Anonymous(), csv), HttpStatusCode.Unauthorized);
        Assert.Equal((0L, 0L), floor.Counts());
    }

    public static TheoryData<string, string, string> Unreadable => new()
    {
        { "plan,case,initiator,responder,verdict\nsip,CALL-001,\"a1,b1,pass\n", "row 2", "never closed" },
        { "plan,case,initiator,responder,verdict\nsip,\"CALL\"-001,a1,b1,pass\n", "row 2", "closing quote" },
        { "plan,case,initiator,responder,verdict\nsip,CALL\"001,a1,b1,pass\n", "row 2", "quote is inside an unquoted value" },
        { "plan,case,initiator,responder,outcome\n", "row 1", "'outcome' is not a result column" },
        { "plan,case,initiator,verdict\n", "row 1", "lacks the column responder" },
        { "plan,case,initiator,responder,verdict\nsip,CALL-001,a1,b1,pass,extra\n", "row 2", "6 fields; the header has 5" },
        { "", "row 1", "no header row" },
        { "plan,case,initiator,responder,verdict\n", "body", "no result rows" },
    };

    [Theory]
    [MemberData(nameof(Unreadable))]
    public async Task An_unreadable_CSV_answers_400_naming_the_row(string csv, string location, string message)
    {
        var floor = await Floor();
        var problem = await Problem.ReadAsync(await floor.Import(app.Admin(), csv), HttpStatusCode.BadRequest);
        Assert.Equal([location], problem.Errors.Keys);
        Assert.Contains(message, problem.Errors[location][0]);
    }

    [Fact]
    public async Task A_quote_left_open_is_refused_at_its_row_without_reading_the_rest_of_the_file_into_one_field()
    {
        var floor = await Floor();
        var rows = Enumerable.Repeat(Row(floor, TestFloor.Call, floor.A1, floor.B1, "pass"), 40_000);
        var csv = Csv(Header, Row(floor, TestFloor.Call, floor.A1, floor.B1, "pass", "\"left open"), string.Join("\r\n", rows));
        Assert.True(csv.Length > CsvReader.MaxRecordChars, "the rest of the file is longer than a record may be");

        var problem = await Problem.ReadAsync(await floor.Import(app.Admin(), csv), HttpStatusCode.BadRequest);

        Assert.Equal(["row 2"], problem.Errors.Keys);
        Assert.Contains("longer than", problem.Errors["row 2"][0]);
        Assert.Equal((0L, 0L), floor.Counts());
    }

    [Fact]
    public async Task Malformed_JSON_non_UTF8_text_and_other_media_types_are_refused()
    {
        var floor = await Floor();
        var json = await Problem.ReadAsync(
            await app.Admin().PostAsync($"{floor.Results}/import", TestFloor.Content("[{\"plan\": 5}]", "application/json")),
            HttpStatusCode.BadRequest);
        Assert.Contains("$[0].plan", json.Errors.Keys.Single());

        var latin1 = new ByteArrayContent(Encoding.Latin1.GetBytes("plan,case,initiator,responder,verdict,notes\nsip,CALL-001,a1,b1,pass,caf\u00e9\n"));
        latin1.Headers.ContentType = new("text/csv");
        var problem = await Problem.ReadAsync(await app.Admin().PostAsync($"{floor.Results}/import", latin1), HttpStatusCode.BadRequest);
        Assert.Equal(["line 2"], problem.Errors.Keys);
        Assert.StartsWith("Byte 71 (0xE9) on line 2 is not UTF-8", problem.Errors["line 2"][0]);

        var xml = await app.Admin().PostAsync($"{floor.Results}/import", TestFloor.Content("<results/>", "application/xml"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, xml.StatusCode);
    }

    [Fact]
    public async Task An_import_is_recorded_with_who_and_when()
    {
        var floor = await Floor();
        await floor.Import(floor.EngineerC, Csv(Header, Row(floor, TestFloor.Call, floor.C1, floor.B1, "pass")))
            .ReadJson<ResultImport.Summary>();
        using var db = app.OpenDatabase();
        var revision = db.QuerySingle($"SELECT recorded_by, recorded_at FROM {ResultStore.AllRevisions} AS v ORDER BY recorded_at DESC LIMIT 1");
        Assert.Equal((string)db.ExecuteScalar<string>("SELECT name FROM tokens WHERE id = @id", new { id = (long)revision.recorded_by })!,
            (await floor.Member.GetAsync(floor.Results).ReadJson<ResultPage>()).Items[0].RecordedBy);
        Assert.Equal(1L, db.ExecuteScalar<long>("SELECT count(*) FROM audit_log WHERE action = 'results.import' AND token_id = @by",
            new { by = (long)revision.recorded_by }));
    }
}
