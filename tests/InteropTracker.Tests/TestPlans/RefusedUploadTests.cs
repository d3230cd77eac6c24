using System.IO.Compression;
using System.Net;
using System.Text;
using ClosedXML.Excel;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;

namespace InteropTracker.Tests.TestPlans;

/// <summary>
/// What a chair sees when a document is wrong or hostile: a problem naming each place (YAML line, JSON path, sheet and
/// cell, CSV row and column) and the field, and a database that did not change.
/// </summary>
public class RefusedUploadTests(AppFixture app) : IClassFixture<AppFixture>
{
    [Fact]
    public async Task Every_rule_a_yaml_plan_breaks_is_listed_by_line_and_field()
    {
        const string yaml = """
            plan: Bad Plan
            title: Broken plan
            version: "1.0"
            technology: SIP
            sections:
              - id: setup
                title: Setup
                cases:
                  - id: B-001
                    title: One
                    purpose: First
                    steps: [Dial]
                    expected: [Rings]
                    priority: urgent
                    directional: maybe
                    requires: [H264, ok-tag]
                  - id: B-001
                    title: Two
                    purpose: Second
                    steps: []
                    expected: [Rings]
                    priority: mandatory
                    directional: yes please
                    colour: blue
              - id: setup
                cases:
                  - title: No id
                    purpose: Third
                    steps: [Dial]
                    expected: [Rings]
                    priority: optional
            """;

        var problem = await Refused(await Chair().PostYaml(yaml), HttpStatusCode.UnprocessableEntity);

        AssertNames(problem, "line 1", "plan", "'Bad Plan'");
        AssertNames(problem, "line 14", "priority", "'urgent'");
        AssertNames(problem, "line 15", "directional", "'maybe'");
        AssertNames(problem, "line 16", "requires", "'H264'");
        AssertNames(problem, "line 17", "case id", "'B-001'");
        AssertNames(problem, "line 20", "steps", "case 'B-001'");
        AssertNames(problem, "line 23", "directional", "'yes please'");
        AssertNames(problem, "line 24", "'colour'", "not a field");
        AssertNames(problem, "line 25", "section id", "'setup'");
        AssertNames(problem, "line 25", "title", "missing");
        AssertNames(problem, "line 27", "id", "missing");
        Assert.Equal(11, problem.Errors.Values.Sum(m => m.Length));
    }

    [Fact]
    public async Task A_json_plan_names_each_error_by_its_path()
    {
        const string json = """
            {
              "plan": "json-errors", "title": "Broken", "version": "1.0", "technology": "SIP",
              "sections": [
                { "id": "setup", "title": "Setup", "cases": [
                  { "id": "J-1", "title": "One", "purpose": "p", "steps": ["s"], "expected": ["e"], "priority": "mandatory", "directional": "true" },
                  { "id": "J-2", "purpose": "p", "steps": ["s"], "expected": "e", "priority": "sometimes", "requires": ["ok", "Not_OK"] }
                ] }
              ]
            }
            """;

        var problem = await Refused(
            await Chair().PostAsync("/api/test-plans", SamplePlans.Content(json, "application/json")), HttpStatusCode.UnprocessableEntity);

        AssertNames(problem, "sections[0].cases[0].directional", "directional", "true or false");
        AssertNames(problem, "sections[0].cases[1].title", "case 'J-2'", "title is missing");
        AssertNames(problem, "sections[0].cases[1].expected", "expected", "must be a list");
        AssertNames(problem, "sections[0].cases[1].priority", "priority", "'sometimes'");
        AssertNames(problem, "sections[0].cases[1].requires[1]", "requires", "'Not_OK'");
    }

    [Fact]
    public async Task A_workbook_names_each_error_by_sheet_and_cell()
    {
        using var workbook = new XLWorkbook();
        var plan = workbook.AddWorksheet("Plan");
        plan.Cell("A1").Value = "plan"; plan.Cell("B1").Value = "xlsx_errors";
        plan.Cell("A2").Value = "title"; plan.Cell("B2").Value = "Broken";
        plan.Cell("A3").Value = "version"; plan.Cell("B3").SetValue("1.0").SetDataType(XLDataType.Text);
        var cases = workbook.AddWorksheet("Cases");
        string[] header = ["section", "section_title", "id", "title", "purpose", "steps", "expected", "priority", "directional", "requires"];
        for (var c = 0; c < header.Length; c++) cases.Cell(1, c + 1).Value = header[c];
        string[][] rows =
        [
            ["setup", "Setup", "X-1", "One", "p", "Dial", "Rings", "mandatory", "maybe", "h264;Bad Tag"],
            ["setup", "Set-up", "X-2", "", "p", "", "Rings", "often", "", ""],
        ];
        for (var r = 0; r < rows.Length; r++)
        for (var c = 0; c < rows[r].Length; c++)
            cases.Cell(r + 2, c + 1).Value = rows[r][c];

        var problem = await Refused(await Chair().PostAsync("/api/test-plans", SamplePlans.File(Save(workbook), "plan.xlsx")),
            HttpStatusCode.UnprocessableEntity);

        AssertNames(problem, "Plan!B1", "plan", "'xlsx_errors'");
        AssertNames(problem, "Plan!A:B (technology)", "technology", "missing");
        AssertNames(problem, "Cases!I2", "directional", "'maybe'");
        AssertNames(problem, "Cases!J2", "requires", "'Bad Tag'");
        AssertNames(problem, "Cases!B3", "section_title", "'Set-up'");
        AssertNames(problem, "Cases!D3", "case 'X-2'", "title is missing");
        AssertNames(problem, "Cases!F3", "steps", "missing");
        AssertNames(problem, "Cases!H3", "priority", "'often'");
    }

    [Fact]
    public async Task A_csv_plan_names_each_error_by_row_and_column_and_the_query_names_missing_plan_fields()
    {
        const string csv = """
            section,section_title,id,title,purpose,steps,expected,priority,directional
            setup,Setup,C-1,One,p,Dial,Rings,mandatory,perhaps
            setup,,C-2,Two,p,Dial,Rings,high,
            ,,C-3,Three,p,Dial,,optional,false
            """;

        var problem = await Refused(
            await Chair().PostAsync("/api/test-plans?plan=csv-errors&title=Broken&technology=SIP", SamplePlans.Content(csv, "text/csv")),
            HttpStatusCode.UnprocessableEntity);

        AssertNames(problem, "query ?version=", "version", "missing");
        AssertNames(problem, "row 2, column directional", "directional", "'perhaps'");
        AssertNames(problem, "row 3, column priority", "priority", "'high'");
        AssertNames(problem, "row 4, column section", "id", "missing");
        AssertNames(problem, "row 4, column expected", "expected", "missing");
    }

    [Fact]
    public async Task A_csv_header_without_a_required_column_or_with_an_unknown_one_is_refused_at_the_header()
    {
        const string csv = "section,section_title,id,title,steps,expected,priority,colour\nsetup,Setup,C-1,One,Dial,Rings,mandatory,red\n";

        var problem = await Refused(
            await Chair().PostAsync("/api/test-plans?plan=csv-header&title=T&version=1&technology=SIP", SamplePlans.Content(csv, "text/csv")),
            HttpStatusCode.UnprocessableEntity);

        AssertNames(problem, "row 1", "'purpose'", "no column");
        AssertNames(problem, "row 1, column 8", "'colour'", "not a column");
    }

    [Fact]
    public async Task A_value_under_a_column_with_no_header_is_refused_at_its_cell()
    {
        const string csv = "section,section_title,id,title,purpose,steps,expected,priority\nsetup,Setup,C-1,One,p,Dial,Rings,mandatory,stray\n";

        var problem = await Refused(
            await Chair().PostAsync("/api/test-plans?plan=csv-stray&title=T&version=1&technology=SIP", SamplePlans.Content(csv, "text/csv")),
            HttpStatusCode.UnprocessableEntity);

        AssertNames(problem, "row 2, column 9", "no header");
    }

    [Fact]
    public async Task A_csv_row_wider_than_the_columns_read_is_a_413()
    {
        var csv = "section,section_title,id,title,purpose,steps,expected,priority\n" + new string(',', 1_000_000) + "\n" +
                  string.Concat(Enumerable.Repeat("s,S,C,T,p,a,b,optional\n", 4_000));

        var problem = await Refused(
            await Chair().PostAsync("/api/test-plans?plan=csv-wide&title=T&version=1&technology=SIP", SamplePlans.Content(csv, "text/csv")),
            HttpStatusCode.RequestEntityTooLarge);

        AssertNames(problem, "row 1", "1000001 columns", "at most 32");
    }

    [Theory]
    [InlineData("setup,Setup,C-1,One,\"p,Dial,Rings,mandatory\n", "never closed")]
    [InlineData("setup,Setup,C-1,One,\"p\"q,Dial,Rings,mandatory\n", "Text follows a closing quote")]
    [InlineData("setup,Setup,C-1,One,p\"q,Dial,Rings,mandatory\n", "quote is inside an unquoted value")]
    public async Task A_csv_quote_out_of_place_is_a_400_naming_the_row_and_column(string row, string message)
    {
        var csv = "section,section_title,id,title,purpose,steps,expected,priority\n" + row;

        var problem = await Refused(
            await Chair().PostAsync("/api/test-plans?plan=csv-quote&title=T&version=1&technology=SIP", SamplePlans.Content(csv, "text/csv")),
            HttpStatusCode.BadRequest);

        AssertNames(problem, "row 2", "column 5", message);
    }

    [Fact]
    public async Task A_csv_plan_that_is_not_utf8_is_refused_naming_the_byte_and_its_line()
    {
        var csv = Encoding.Latin1.GetBytes("section,section_title,id,title,purpose,steps,expected,priority\nsetup,Setup,C-1,Caf\u00e9,p,Dial,Rings,mandatory\n");
        var content = new ByteArrayContent(csv);
        content.Headers.ContentType = new("text/csv");

        var problem = await Refused(
            await Chair().PostAsync("/api/test-plans?plan=csv-latin&title=T&version=1&technology=SIP", content), HttpStatusCode.BadRequest);

        AssertNames(problem, "line 2", "Byte 82 (0xE9)", "UTF-8");
    }

    [Theory]
    [InlineData("plan: broken\ntitle: Mapping: in a value\nversion: '1'\n", "line 2", "invalid mapping")]
    [InlineData("plan: broken\nversion: '1'\ntitle: [unclosed, at the end\n", "line 4", "did not find expected ',' or ']'")]
    [InlineData("plan: broken\ntitle: [unclosed\nversion: '1'\n", "line 2", "unclosed [")]
    public async Task A_yaml_syntax_error_is_a_400_naming_its_line(string yaml, string line, string message)
    {
        var problem = await Refused(await Chair().PostYaml(yaml), HttpStatusCode.BadRequest);

        Assert.Single(problem.Errors);
        AssertNames(problem, line, message);
    }

    [Fact]
    public async Task A_yaml_alias_bomb_is_refused_at_the_first_alias_without_expanding_it()
    {
        var yaml = new StringBuilder("plan: lol\n");
        yaml.Append("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var level = 'b'; level <= 'i'; level++)
            yaml.Append($"{level}: &{level} [{string.Join(", ", Enumerable.Repeat($"*{(char)(level - 1)}", 9))}]\n");

        var problem = await Refused(await Chair().PostYaml(yaml.ToString()), HttpStatusCode.BadRequest);

        AssertNames(problem, "line 3", "*a", "alias");
    }

    [Fact]
    public async Task A_deeply_nested_yaml_or_json_document_is_refused()
    {
        var yaml = "plan: deep\nsections: " + new string('[', 10_000) + new string(']', 10_000) + "\n";
        var yamlProblem = await Refused(await Chair().PostYaml(yaml), HttpStatusCode.BadRequest);
        AssertNames(yamlProblem, "line 2", "nests deeper", "16");

        var json = "{\"plan\": \"deep\", \"sections\": " + new string('[', 10_000) + new string(']', 10_000) + "}";
        var jsonProblem = await Refused(
            await Chair().PostAsync("/api/test-plans", SamplePlans.Content(json, "application/json")), HttpStatusCode.BadRequest);
        AssertNames(jsonProblem, "line 1", "depth", "16");
    }

    [Fact]
    public async Task A_yaml_or_json_document_of_too_many_values_is_refused_before_they_are_read()
    {
        var yaml = "plan: wide\nsections: [" + string.Join(",", Enumerable.Repeat("1", 260_000)) + "]\n";
        var yamlProblem = await Refused(await Chair().PostYaml(yaml), HttpStatusCode.BadRequest);
        AssertNames(yamlProblem, "line 2", "more than 250000 values");

        var json = "{\"plan\": \"wide\", \"sections\": [" + string.Join(",", Enumerable.Repeat("1", 260_000)) + "]}";
        var jsonProblem = await Refused(
            await Chair().PostAsync("/api/test-plans", SamplePlans.Content(json, "application/json")), HttpStatusCode.BadRequest);
        AssertNames(jsonProblem, "(document)", "more than 250000 values");
    }

    [Fact]
    public async Task A_file_that_is_not_utf8_is_refused_naming_the_byte_and_its_line()
    {
        var bytes = Encoding.Latin1.GetBytes("plan: latin\ntitle: Essai\nsource: Référence\n");
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new("application/yaml");

        var problem = await Refused(await Chair().PostAsync("/api/test-plans", content), HttpStatusCode.BadRequest);

        AssertNames(problem, "line 3", "Byte 34 (0xE9)", "UTF-8");
    }

    [Fact]
    public async Task A_body_over_5_megabytes_is_a_413()
    {
        var yaml = SamplePlans.Yaml(plan: "too-large") + "\n# " + new string('x', 5 * 1024 * 1024) + "\n";

        var declared = await Refused(await Chair().PostYaml(yaml), HttpStatusCode.RequestEntityTooLarge);
        AssertNames(declared, "body", "5242880 bytes", "at most");

        var streamed = await Refused(await Chair().PostAsync("/api/test-plans", new UnsizedContent(Encoding.UTF8.GetBytes(yaml))),
            HttpStatusCode.RequestEntityTooLarge);
        AssertNames(streamed, "body", "larger than 5242880 bytes");
    }

    /// <summary>A body sent without Content-Length, as a chunked upload arrives.</summary>
    private sealed class UnsizedContent : HttpContent
    {
        private readonly byte[] _bytes;

        public UnsizedContent(byte[] bytes)
        {
            _bytes = bytes;
            Headers.ContentType = new("application/yaml");
        }

        protected override Task SerializeToStreamAsync(Stream stream, System.Net.TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task A_workbook_whose_parts_inflate_past_the_limit_is_a_413_before_it_is_opened()
    {
        using var zip = new MemoryStream();
        using (var archive = new ZipArchive(zip, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var sheet = archive.CreateEntry("xl/worksheets/sheet1.xml", CompressionLevel.SmallestSize).Open();
            var zeros = new byte[1024 * 1024];
            for (var i = 0; i < 40; i++) sheet.Write(zeros);
        }
        Assert.True(zip.Length < 200_000, $"the bomb is {zip.Length} bytes");

        var problem = await Refused(await Chair().PostAsync("/api/test-plans", SamplePlans.File(zip.ToArray(), "bomb.xlsx")),
            HttpStatusCode.RequestEntityTooLarge);

        AssertNames(problem, "workbook", "sheet1.xml", "inflates");
    }

    [Fact]
    public async Task A_file_that_is_not_a_workbook_is_a_400()
    {
        var problem = await Refused(
            await Chair().PostAsync("/api/test-plans", SamplePlans.File("plan: not a zip"u8.ToArray(), "plan.xlsx")), HttpStatusCode.BadRequest);

        AssertNames(problem, "workbook", ".xlsx", "zip");
    }

    [Fact]
    public async Task A_workbook_without_the_cases_sheet_is_refused_naming_the_sheet()
    {
        using var workbook = new XLWorkbook();
        workbook.AddWorksheet("Plan").Cell("A1").Value = "plan";

        var problem = await Refused(await Chair().PostAsync("/api/test-plans", SamplePlans.File(Save(workbook), "plan.xlsx")),
            HttpStatusCode.UnprocessableEntity);

        AssertNames(problem, "workbook", "'Cases'", "no sheet");
    }

    [Fact]
    public async Task A_workbook_of_40000_cases_is_refused_at_the_first_row_past_the_cap_before_it_is_loaded_whole()
    {
        // Styles no workbook reader can load: a workbook loaded whole is refused as unreadable, as a small one shows.
        var small = await Refused(await Chair().PostAsync("/api/test-plans", SamplePlans.File(UnloadableCases(10), "small.xlsx")),
            HttpStatusCode.BadRequest);
        AssertNames(small, "workbook", "not an Excel workbook that can be read");

        var problem = await Refused(await Chair().PostAsync("/api/test-plans", SamplePlans.File(UnloadableCases(40_000), "big.xlsx")),
            HttpStatusCode.RequestEntityTooLarge);

        AssertNames(problem, "Cases!A5002", "row 5002", "at most 5001 rows");
    }

    private static byte[] UnloadableCases(int rows)
    {
        using var workbook = new XLWorkbook();
        workbook.AddWorksheet("Plan").Cell("A1").Value = "plan";
        var cases = workbook.AddWorksheet("Cases");
        string[] header = ["section", "id", "title", "purpose", "steps", "expected", "priority", "requires"];
        for (var c = 0; c < header.Length; c++) cases.Cell(1, c + 1).Value = header[c];
        for (var r = 2; r <= rows + 1; r++)
        {
            cases.Cell(r, 1).Value = "s";
            cases.Cell(r, 2).Value = $"C-{r}";
            cases.Cell(r, 3).Value = "A case";
        }
        return Replace(Save(workbook), "xl/styles.xml", "<styleSheet");
    }

    [Fact]
    public async Task A_content_type_that_is_not_read_is_a_415_naming_the_accepted_ones()
    {
        var text = await Refused(
            await Chair().PostAsync("/api/test-plans", SamplePlans.Content(SamplePlans.Yaml(), "text/plain")), HttpStatusCode.UnsupportedMediaType);
        AssertNames(text, "Content-Type", "text/plain", "application/yaml, text/yaml, application/x-yaml, application/json, text/csv");

        var file = await Refused(
            await Chair().PostAsync("/api/test-plans", SamplePlans.File(Encoding.UTF8.GetBytes(SamplePlans.Yaml()), "plan.txt")),
            HttpStatusCode.UnsupportedMediaType);
        AssertNames(file, "file", "'plan.txt'", ".yaml, .yml, .json, .xlsx, .csv");

        var latin = await Refused(
            await Chair().PostAsync("/api/test-plans", SamplePlans.Content(SamplePlans.Yaml(), "application/yaml; charset=iso-8859-1")),
            HttpStatusCode.UnsupportedMediaType);
        AssertNames(latin, "Content-Type", "iso-8859-1", "UTF-8");
    }

    [Fact]
    public async Task Errors_are_listed_up_to_a_cap_and_counted_in_full()
    {
        var yaml = new StringBuilder("plan: many-errors\ntitle: T\nversion: '1'\ntechnology: SIP\nsections:\n  - id: s\n    title: S\n    cases:\n");
        for (var i = 0; i < 150; i++)
            yaml.Append($"      - {{ id: C-{i}, title: T, purpose: P, steps: [s], expected: [e], priority: never }}\n");

        var problem = await Refused(await Chair().PostYaml(yaml.ToString()), HttpStatusCode.UnprocessableEntity);

        Assert.Equal(100, problem.Errors.Values.Sum(m => m.Length));
        Assert.Contains("150 problems", problem.Detail);
    }

    private HttpClient? _chair;

    private HttpClient Chair() => _chair ??= app.WithToken(app.NewToken(Roles.Chair).GetAwaiter().GetResult());

    /// <summary>Reads the problem and checks that nothing was stored.</summary>
    private async Task<Problem> Refused(HttpResponseMessage response, HttpStatusCode status)
    {
        var problem = await Problem.ReadAsync(response, status);
        using var db = app.OpenDatabase();
        Assert.Equal(0, db.ExecuteScalar<long>("SELECT count(*) FROM test_plans"));
        Assert.Equal(0, db.ExecuteScalar<long>("SELECT count(*) FROM test_cases"));
        return problem;
    }

    private static void AssertNames(Problem problem, string place, params string[] fragments)
    {
        Assert.True(problem.Errors.TryGetValue(place, out var messages), $"No error at '{place}' in: {problem.Text}");
        Assert.True(messages.Any(m => fragments.All(f => m.Contains(f, StringComparison.Ordinal))),
            $"No error at '{place}' mentions {string.Join(" and ", fragments)}: {string.Join(" | ", messages)}");
    }

    private static byte[] Replace(byte[] package, string part, string text)
    {
        using var stream = new MemoryStream();
        stream.Write(package);
        using (var zip = new ZipArchive(stream, ZipArchiveMode.Update, leaveOpen: true))
        {
            zip.GetEntry(part)!.Delete();
            using var writer = new StreamWriter(zip.CreateEntry(part).Open());
            writer.Write(text);
        }
        return stream.ToArray();
    }

    private static byte[] Save(XLWorkbook workbook)
    {
        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }
}
