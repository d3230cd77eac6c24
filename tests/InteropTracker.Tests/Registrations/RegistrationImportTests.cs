using System.Net;
using System.Text;
using ClosedXML.Excel;
using Dapper;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Registrations;
using InteropTracker.Tests.TestPlans;
using InteropTracker.Vendors;

namespace InteropTracker.Tests.Registrations;

/// <summary>
/// Bulk registration as a chair meets it: a file of products, mistakes in it found all at once with their row and
/// column, nothing written until the file is right, then organizations, products and participants in one go.
/// </summary>
public sealed class RegistrationImportTests(AppFixture app) : IClassFixture<AppFixture>
{
    private const string Header = "organization,organization_name,product,product_name,version,kind,technologies,capabilities,event";

    private readonly Build _build = new(seed: 1010);

    private sealed record Row(string Organization, string OrganizationName, string Product, string Name, string Version, string Kind,
        string Technologies, string Capabilities, string Event = "")
    {
        public string Csv => string.Join(',', new[] { Organization, OrganizationName, Product, Name, Version, Kind, Technologies, Capabilities, Event }
            .Select(v => v.Contains(',') || v.Contains('"') ? $"\"{v.Replace("\"", "\"\"")}\"" : v));

        public string[] Cells => [Organization, OrganizationName, Product, Name, Version, Kind, Technologies, Capabilities, Event];
    }

    private static string Csv(IEnumerable<Row> rows) => Header + "\n" + string.Join("\n", rows.Select(r => r.Csv)) + "\n";

    private static byte[] Workbook(IEnumerable<Row> rows)
    {
        using var workbook = new XLWorkbook();
        var sheet = workbook.AddWorksheet("Registrations");
        var header = Header.Split(',');
        for (var c = 0; c < header.Length; c++) sheet.Cell(1, c + 1).Value = header[c];
        var r = 2;
        foreach (var row in rows)
        {
            // As text, as the template's cells are formatted: a version typed as 1.0 stays "1.0", not the number 1.
            for (var c = 0; c < row.Cells.Length; c++) sheet.Cell(r, c + 1).SetValue(row.Cells[c]).SetDataType(XLDataType.Text);
            r++;
        }
        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }

    private static Task<HttpResponseMessage> Upload(HttpClient chair, string csv) =>
        chair.PostAsync("/api/registrations/import", SamplePlans.Content(csv, "text/csv"));

    private static Task<HttpResponseMessage> Upload(HttpClient chair, byte[] xlsx, string name = "registrations.xlsx") =>
        chair.PostAsync("/api/registrations/import", SamplePlans.File(xlsx, name));

    private string Counts()
    {
        using var db = app.OpenDatabase();
        return db.QuerySingle<string>("""
            SELECT (SELECT count(*) FROM organizations) || '/' || (SELECT count(*) FROM products) || '/' ||
                   (SELECT count(*) FROM participants) || '/' || (SELECT count(*) FROM audit_log) || '/' ||
                   coalesce((SELECT string_agg(name || version || capabilities, ',' ORDER BY key) FROM products), '')
            """);
    }

    /// <summary>Two plans whose tags products declare, an event in draft and one closed.</summary>
    private async Task<(HttpClient Chair, string Event, string Closed, string Prefix)> FloorAsync()
    {
        var chair = await app.ClientFor(Roles.Chair);
        var sip = await chair.LoadPlan(Build.Plan(
            new CaseSpec { Id = "CALL-1", Requires = ["h264"] },
            new CaseSpec { Id = "SHARE-1", Requires = ["bfcp"] },
            new CaseSpec { Id = "TLS-1", Requires = ["sip.tls"], Initiator = ["srtp"] },
            new CaseSpec { Id = "DTMF-1", Directional = false, Requires = ["dtmf.rfc4733"] }));
        var webrtc = await chair.LoadPlan(Build.Plan(new CaseSpec { Id = "WEB-1", Requires = ["vp8", "opus"] }) with { Technology = "WebRTC" });
        var @event = await chair.Create(_build.Event(sip.Plan, webrtc.Plan));
        var closed = await chair.Create(_build.Event(sip.Plan));
        await chair.MoveTo(closed.Key, "open");
        await chair.MoveTo(closed.Key, "closed");
        return (chair, @event.Key, closed.Key, Build.UniqueKey("reg"));
    }

    /// <summary>Twenty products of six vendors, as a chair would list them for an event.</summary>
    private static List<Row> TwentyProducts(string prefix, string @event)
    {
        string[] vendors = ["acme", "globex", "initech", "umbrella", "hooli", "vandelay"];
        string[] names = ["Acme Communications", "Globex Video", "Initech Telecom", "Umbrella Networks", "Hooli Meet", "Vandelay Imports"];
        string[] kinds = ["endpoint", "mcu", "gateway", "sbc", "client", "server"];
        string[] capabilities = ["h264;bfcp;sip.tls;srtp", "h264;dtmf.rfc4733", "h264;bfcp", "vp8;opus", "h264;sip.tls;srtp;dtmf.rfc4733"];
        return Enumerable.Range(0, 20).Select(i => new Row(
            $"{prefix}-{vendors[i % 6]}", names[i % 6], $"{prefix}-{vendors[i % 6]}-p{i + 1}", $"{names[i % 6].Split(' ')[0]} Product {i + 1}",
            $"{1 + i % 3}.{i % 4}", kinds[i % 6], i % 5 == 3 ? "WebRTC" : i % 4 == 0 ? "SIP;WebRTC" : "SIP", capabilities[i % 5], @event)).ToList();
    }

    [Fact]
    public async Task A_chair_registers_twenty_products_by_file_after_fixing_every_mistake_it_was_told_of_at_once()
    {
        var (chair, @event, closed, prefix) = await FloorAsync();
        var rows = TwentyProducts(prefix, @event);
        var mistaken = rows.ToList();
        mistaken[3] = mistaken[3] with { Capabilities = "vp8;opus;bfcpp" };                   // row 5: a misspelt tag
        mistaken[6] = mistaken[6] with { Capabilities = "h246;dtmf.rfc4733" };                // row 8: two digits swapped
        mistaken[8] = mistaken[8] with { Kind = "phone" };                                    // row 10: not a kind
        mistaken[11] = mistaken[11] with { Product = "Acme Room 12" };                        // row 13: a name, not a key
        mistaken[14] = mistaken[14] with { Organization = $"{prefix}-newco", OrganizationName = "" }; // row 16: a new vendor with no name
        mistaken[16] = mistaken[16] with { Event = "no-such-event" };                         // row 18: an event that does not exist
        mistaken[17] = mistaken[17] with { Event = closed };                                  // row 19: a closed event
        mistaken[19] = mistaken[19] with { Product = mistaken[0].Product };                   // row 21: the same product twice, other values
        mistaken[10] = mistaken[10] with { OrganizationName = "Hooli Meetings" };             // row 12: vendor hooli named two ways
        var before = Counts();

        var problem = await Problem.ReadAsync(await Upload(chair, Csv(mistaken)), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("The registrations break the rules", problem.Title);
        Assert.Contains("Nothing was loaded", problem.Detail);
        Assert.Contains("did you mean 'bfcp'?", problem.Errors["row 5, column capabilities"][0]);
        Assert.Contains("did you mean 'h264'?", problem.Errors["row 8, column capabilities"][0]);
        Assert.Contains("'phone' is not a product kind", problem.Errors["row 10, column kind"][0]);
        Assert.Contains("Perhaps 'acme-room-12'", problem.Errors["row 13, column product"][0]);
        Assert.Contains("is new: give its name", problem.Errors["row 16, column organization_name"][0]);
        Assert.Contains("There is no event 'no-such-event'", problem.Errors["row 18, column event"][0]);
        Assert.Contains("is closed", problem.Errors["row 19, column event"][0]);
        Assert.Contains("also at row 2, column product with other values", problem.Errors["row 21, column product"][0]);
        Assert.Contains("'Hooli Meet' at row 6, column organization_name", problem.Errors["row 12, column organization_name"][0]);
        Assert.Equal(9, problem.Errors.Count);
        Assert.Equal(before, Counts());

        // The same mistakes in a workbook are placed at their cells.
        var inWorkbook = await Problem.ReadAsync(await Upload(chair, Workbook(mistaken)), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("did you mean 'bfcp'?", inWorkbook.Errors["Registrations!H5"][0]);
        Assert.Contains("did you mean 'h264'?", inWorkbook.Errors["Registrations!H8"][0]);
        Assert.Contains("not a product kind", inWorkbook.Errors["Registrations!F10"][0]);
        Assert.Contains("There is no event", inWorkbook.Errors["Registrations!I18"][0]);
        Assert.Equal(9, inWorkbook.Errors.Count);
        Assert.Equal(before, Counts());

        var imported = await Upload(chair, Workbook(rows)).ReadJson<RegistrationImport.Imported>();
        Assert.Equal(new RegistrationImport.Imported
        {
            Rows = 20, OrganizationsCreated = 6, OrganizationsUpdated = 0, ProductsCreated = 20, ProductsUpdated = 0, Registered = 20,
        }, imported);
        var participants = await chair.GetAsync($"/api/events/{@event}/participants").ReadJson<List<ParticipantInfo>>();
        Assert.Equal(rows.Select(r => r.Product).Order(StringComparer.Ordinal), participants.Select(p => p.Product));
        var first = await chair.GetAsync($"/api/products/{rows[0].Product}").ReadJson<Product>();
        Assert.Equal(["SIP", "WebRTC"], first.Technologies);
        Assert.Equal(["h264", "bfcp", "sip.tls", "srtp"], first.Capabilities);
        Assert.Equal(rows[0].Product, first.Line);
        var matrix = await chair.GetAsync($"/api/events/{@event}/summary");
        Assert.Equal(HttpStatusCode.OK, matrix.StatusCode);

        // The same file again with a new version of two products and a vendor renamed: updates, nothing registered twice.
        var revised = rows.ToList();
        revised[0] = revised[0] with { Version = "9.9", OrganizationName = "Acme Communications AG" };
        revised[6] = revised[6] with { Version = "9.9", OrganizationName = "Acme Communications AG" };
        revised[12] = revised[12] with { OrganizationName = "Acme Communications AG" };
        revised[18] = revised[18] with { OrganizationName = "Acme Communications AG" };
        var again = await Upload(chair, Csv(revised)).ReadJson<RegistrationImport.Imported>();
        Assert.Equal((0, 1, 0, 2, 0), (again.OrganizationsCreated, again.OrganizationsUpdated, again.ProductsCreated, again.ProductsUpdated, again.Registered));
        Assert.Equal("9.9", (await chair.GetAsync($"/api/products/{rows[6].Product}").ReadJson<Product>()).Version);
        Assert.Equal("Acme Communications AG", (await chair.GetAsync($"/api/organizations/{rows[0].Organization}").ReadJson<Organization>()).Name);
    }

    [Fact]
    public async Task A_file_that_cannot_be_read_is_refused_at_its_place_and_changes_nothing()
    {
        var (chair, _, _, prefix) = await FloorAsync();
        var before = Counts();

        var header = await Problem.ReadAsync(await Upload(chair, "organization,product,colour\nx,y,z\n"), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("'colour' is not a column", header.Errors["row 1, column 3"][0]);
        Assert.Contains(header.Errors["row 1"], m => m.Contains("no column 'product_name'"));

        var quote = await Problem.ReadAsync(await Upload(chair, Header + $"\n{prefix},\"Open quote,{prefix}-p,P,1,endpoint,SIP,h264,\n"), HttpStatusCode.BadRequest);
        Assert.Contains("row 2", quote.Errors.Keys.Single());

        var latin1 = Encoding.Latin1.GetBytes(Header + $"\n{prefix},Caf\u00e9,{prefix}-p,P,1,endpoint,SIP,h264,\n");
        var bytes = await Problem.ReadAsync(await chair.PostAsync("/api/registrations/import", new ByteArrayContent(latin1)
        {
            Headers = { ContentType = new("text/csv") },
        }), HttpStatusCode.BadRequest);
        Assert.Contains("line 2", bytes.Errors.Keys.Single());

        var empty = await Problem.ReadAsync(await Upload(chair, Header + "\n"), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("no product", empty.Errors["row 1"][0]);

        var notAWorkbook = await Problem.ReadAsync(await Upload(chair, Encoding.UTF8.GetBytes("not a zip")), HttpStatusCode.BadRequest);
        Assert.Equal(["workbook"], notAWorkbook.Errors.Keys);

        var yaml = await Problem.ReadAsync(await chair.PostAsync("/api/registrations/import", SamplePlans.Content("a: b", "application/yaml")),
            HttpStatusCode.UnsupportedMediaType);
        Assert.Contains("text/csv", yaml.Errors["Content-Type"][0]);

        var tooMany = Header + "\n" + string.Concat(Enumerable.Range(0, RegistrationImport.MaxRows + 1).Select(i => $"o,O,p-{i},P,1,endpoint,SIP,h264,\n"));
        var large = await Problem.ReadAsync(await Upload(chair, tooMany), HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains($"more than {RegistrationImport.MaxRows} rows", large.Text);
        Assert.Equal(before, Counts());
    }

    [Fact]
    public async Task A_product_with_results_keeps_its_capabilities_unless_corrected_on_its_own_and_other_vendors_cannot_import()
    {
        var chair = await app.ClientFor(Roles.Chair);
        var floor = await EventResults.TestFloor.OpenAsync(app, _build);
        await floor.Log(floor.EngineerA, floor.Result(EventResults.TestFloor.Call, floor.A1, floor.B1));
        var before = Counts();

        var row = new Row(floor.A1.Organization, "", floor.A1.Key, floor.A1.Name, floor.A1.Version, floor.A1.Kind, "SIP", "h264");
        var problem = await Problem.ReadAsync(await Upload(chair, Csv([row])), HttpStatusCode.UnprocessableEntity);
        Assert.Contains($"PATCH /api/products/{floor.A1.Key}", problem.Errors["row 2, column product"][0]);

        var moved = row with { Organization = floor.B1.Organization, Capabilities = string.Join(';', floor.A1.Capabilities) };
        var movedProblem = await Problem.ReadAsync(await Upload(chair, Csv([moved])), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("cannot move a product to another organization", movedProblem.Errors["row 2, column product"][0]);

        var engineer = await app.ClientFor(Roles.Engineer, floor.A1.Organization);
        await Problem.ReadAsync(await Upload(engineer, Csv([row])), HttpStatusCode.Forbidden);
        var member = await app.ClientFor(Roles.Member);
        await Problem.ReadAsync(await Upload(member, Csv([row])), HttpStatusCode.Forbidden);
        Assert.Equal(before, Counts());

        // A new version of the same product (name and version only) is an update it may take.
        var renamed = row with { Version = "8.0", Capabilities = string.Join(';', floor.A1.Capabilities) };
        var imported = await Upload(chair, Csv([renamed])).ReadJson<RegistrationImport.Imported>();
        Assert.Equal(1, imported.ProductsUpdated);
    }

    [Fact]
    public async Task The_templates_download_as_csv_and_as_a_workbook_with_the_words_to_use()
    {
        var (chair, _, _, _) = await FloorAsync();

        var csv = await chair.GetAsync("/api/registrations/template.csv");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        Assert.Equal("text/csv", csv.Content.Headers.ContentType?.MediaType);
        Assert.Equal("registrations.csv", csv.Content.Headers.ContentDisposition?.FileName);
        Assert.Equal(string.Join(',', RegistrationImport.Columns), (await csv.Content.ReadAsStringAsync()).TrimEnd());

        var xlsx = await chair.GetAsync("/api/registrations/template.xlsx");
        Assert.Equal(HttpStatusCode.OK, xlsx.StatusCode);
        using var workbook = new XLWorkbook(new MemoryStream(await xlsx.Content.ReadAsByteArrayAsync()));
        var sheet = workbook.Worksheet("Registrations");
        Assert.Equal(RegistrationImport.Columns, Enumerable.Range(1, RegistrationImport.Columns.Count).Select(c => sheet.Cell(1, c).GetString()));
        var words = workbook.Worksheet("Vocabulary");
        var tags = Enumerable.Range(2, 40).Select(r => words.Cell(r, 3).GetString()).Where(t => t.Length > 0).ToList();
        Assert.Contains("bfcp", tags);
        Assert.Contains("sip.tls", tags);
        Assert.Contains("endpoint", Enumerable.Range(2, 10).Select(r => words.Cell(r, 1).GetString()));

        // The template, filled in, imports as it is.
        sheet.Cell(2, 1).Value = "template-vendor";
        sheet.Cell(2, 2).Value = "Template Vendor";
        sheet.Cell(2, 3).Value = "template-phone";
        sheet.Cell(2, 4).Value = "Template Phone";
        Assert.Equal("@", sheet.Cell(2, 5).Style.NumberFormat.Format);
        sheet.Cell(2, 5).SetValue("1.0").SetDataType(XLDataType.Text); // what Excel keeps of 1.0 typed in a text cell
        sheet.Cell(2, 6).Value = "endpoint";
        sheet.Cell(2, 7).Value = "SIP";
        sheet.Cell(2, 8).Value = "h264; bfcp";
        using var filled = new MemoryStream();
        workbook.SaveAs(filled);
        var imported = await Upload(chair, filled.ToArray()).ReadJson<RegistrationImport.Imported>();
        Assert.Equal((1, 1, 0), (imported.OrganizationsCreated, imported.ProductsCreated, imported.Registered));
        Assert.Equal("1.0", (await chair.GetAsync("/api/products/template-phone").ReadJson<Product>()).Version);

        var anonymous = app.Anonymous();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/registrations/template.csv")).StatusCode);
    }
}
