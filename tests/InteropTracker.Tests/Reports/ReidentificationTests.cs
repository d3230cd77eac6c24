using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using ClosedXML.Excel;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Demo;
using InteropTracker.Events;
using InteropTracker.Matrix;
using InteropTracker.TestPlans;
using InteropTracker.Tests.TestPlans;
using Microsoft.Extensions.Logging.Abstractions;
using UglyToad.PdfPig;

namespace InteropTracker.Tests.Reports;

/// <summary>
/// The re-identifier: an engineer of one demo vendor reads the catalogue of its event (every participant's kind,
/// technologies, capabilities, version and organization, and the pinned plans), computes from it everything planning
/// computes, downloads every anonymised output (workbook, PDF, JSON matrix of each technology) and, for each
/// anonymised product, keeps the catalogue products consistent with every attribute those files carry about it,
/// derived ones included. No anonymised product, and no anonymised vendor, may be left with a single candidate.
/// </summary>
public sealed class ReidentificationTests(ReidentificationTests.DemoFixture app) : IClassFixture<ReidentificationTests.DemoFixture>
{
    /// <summary>The shipped test plans and the demo event (16 vendors, 20 products, about 60% logged), made once.</summary>
    public sealed class DemoFixture : ShippedTestCasesFixture, IAsyncLifetime
    {
        // Both demo events closed and published, as anonymised reports are meant to be read: the report then compares
        // the event with the earlier one of the same product lines.
        public async Task InitializeAsync()
        {
            await DemoEvent.SeedAsync(Admin(), organization => ClientFor(Roles.Engineer, organization), NullLogger.Instance);
            await Admin().MoveTo(DemoEarlierEvent.Key, EventStatus.Closed, published: true);
            await Admin().MoveTo(DemoEvent.Key, EventStatus.Closed, published: true);
        }

        Task IAsyncLifetime.DisposeAsync() => Task.CompletedTask;
    }

    private const string Event = DemoEvent.Key;

    private static readonly Regex Label = new(@"^Vendor ([A-Z]+) · (\d+)$");
    private static readonly Regex LabelInText = new(@"Vendor [A-Z]+ · \d+");
    // Midnight is how a date alone is written where a format insists on a time (the PDF's XMP metadata).
    private static readonly Regex ExactTime = new(@"(?<!\d)(?!00:00:00)\d{1,2}:\d{2}:\d{2}(?!\d)");

    /// <summary>A participant as the engineer reads it, with what planning gives it in each technology.</summary>
    private sealed record Known(ParticipantInfo Info, long Id)
    {
        public Dictionary<string, Planned> ByTechnology { get; } = new(StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>Per technology: planned cells as initiator and responder, peers with any, the organization's products in it.</summary>
    private sealed record Planned(long Row, long Column, int RowPeers, int ColumnPeers, int VendorGroup);

    /// <summary>Everything the anonymised files say about one label of one technology.</summary>
    private sealed class Observed
    {
        public int VendorGroup { get; set; }
        public long RowLogged { get; set; }
        public long ColumnLogged { get; set; }
        public int RowPeers { get; set; }
        public int ColumnPeers { get; set; }
        /// <summary>Texts next to the label (same row) that name a catalogue attribute: a kind, a technology, a tag, a version.</summary>
        public HashSet<string> Attributes { get; } = new(StringComparer.OrdinalIgnoreCase);
    }

    private sealed record Catalogue(IReadOnlyList<Known> Products, IReadOnlySet<string> Kinds, IReadOnlySet<string> Technologies,
        IReadOnlySet<string> Tags, IReadOnlySet<string> Versions);

    private async Task<(HttpClient Engineer, Catalogue Catalogue)> ReadCatalogueAsync()
    {
        var admin = app.Admin();
        var participants = await admin.GetAsync($"/api/events/{Event}/participants").ReadJson<List<ParticipantInfo>>();
        var engineer = await app.ClientFor(Roles.Engineer, participants[0].Organization);

        // From here on, only what the engineer can read.
        var known = (await engineer.GetAsync($"/api/events/{Event}/participants").ReadJson<List<ParticipantInfo>>())
            .Select((p, i) => new Known(p, i)).ToList();
        var products = await engineer.GetAsync("/api/products").ReadJson<List<JsonElement>>();
        foreach (var k in known)
        {
            var listed = products.Single(p => p.GetProperty("key").GetString() == k.Info.Product);
            Assert.Equal(k.Info.Capabilities, listed.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()!));
        }
        var @event = await engineer.GetAsync($"/api/events/{Event}").ReadJson<JsonElement>();
        var sameOrganization = @event.GetProperty("includeSameOrganization").GetBoolean();
        var cases = new List<PlannedCase>();
        foreach (var pin in @event.GetProperty("plans").EnumerateArray())
        {
            var plan = pin.GetProperty("plan").GetString()!;
            var version = await engineer.GetAsync($"/api/test-plans/{plan}/versions/{pin.GetProperty("version").GetString()}")
                .ReadJson<TestPlansApi.TestPlanVersion>();
            cases.AddRange(version.Document.Sections.SelectMany(s => s.Cases.Select(c => new PlannedCase
            {
                Id = 0, PlanId = 0, Plan = plan, Section = s.Id, Key = c.Id,
                Technology = version.Document.Technology, Directional = c.Directional, Requires = c.Requires,
                Initiator = c.Initiator, Responder = c.Responder,
            })));
        }
        cases = cases.Select((c, i) => c with { Id = i }).ToList();

        var organizations = known.Select(k => k.Info.Organization).Distinct().ToList();
        var declared = known.Select(k => new Participant
        {
            Id = k.Id, Key = k.Info.Product, OrganizationId = organizations.IndexOf(k.Info.Organization),
            Technologies = new HashSet<string>(k.Info.Technologies, StringComparer.OrdinalIgnoreCase),
            Capabilities = new HashSet<string>(k.Info.Capabilities, StringComparer.Ordinal),
        }).ToList();
        foreach (var technology in cases.Select(c => c.Technology).Distinct())
        {
            var inIt = declared.Where(c => c.Technologies.Contains(technology)).ToList();
            var counts = Planning.Count(cases.Where(c => c.Technology == technology), inIt, sameOrganization);
            var n = counts.Products.Count;
            for (var i = 0; i < n; i++)
            {
                var row = Enumerable.Range(0, n).Select(j => counts.Cells[i, j]).ToList();
                var column = Enumerable.Range(0, n).Select(j => counts.Cells[j, i]).ToList();
                var me = counts.Products[i];
                known[(int)me.Id].ByTechnology[technology] = new Planned(row.Sum(), column.Sum(), row.Count(x => x > 0),
                    column.Count(x => x > 0), inIt.Count(c => c.OrganizationId == me.OrganizationId));
            }
        }

        var catalogue = new Catalogue(known,
            known.Select(k => k.Info.Kind).ToHashSet(StringComparer.OrdinalIgnoreCase),
            known.SelectMany(k => k.Info.Technologies).ToHashSet(StringComparer.OrdinalIgnoreCase),
            known.SelectMany(k => k.Info.Capabilities).ToHashSet(StringComparer.Ordinal),
            known.Select(k => k.Info.Version).ToHashSet(StringComparer.Ordinal));
        return (engineer, catalogue);
    }

    private static async Task<byte[]> BytesAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsByteArrayAsync();
    }

    /// <summary>Every anonymised output the engineer can fetch, as bytes and as text.</summary>
    private async Task<(byte[] Xlsx, byte[] Pdf, Dictionary<string, string> Json)> DownloadAsync(HttpClient engineer,
        IEnumerable<string> technologies)
    {
        var xlsx = await BytesAsync(engineer, $"/api/events/{Event}/report.xlsx?anonymize=true");
        var pdf = await BytesAsync(engineer, $"/api/events/{Event}/report.pdf?anonymize=true");
        var json = new Dictionary<string, string>();
        foreach (var technology in technologies)
            foreach (var view in new[] { "ordered", "pair" })
                json[$"{technology} {view}"] = Encoding.UTF8.GetString(await BytesAsync(engineer,
                    $"/api/events/{Event}/matrix?technology={Uri.EscapeDataString(technology)}&view={view}&anonymize=true"));
        return (xlsx, pdf, json);
    }

    [Fact]
    public async Task No_anonymised_product_or_vendor_matches_a_single_catalogue_product_or_organization()
    {
        var (engineer, catalogue) = await ReadCatalogueAsync();
        var technologies = catalogue.Products.SelectMany(p => p.ByTechnology.Keys).Distinct(StringComparer.OrdinalIgnoreCase).ToList();

        // The adversary has teeth: what the old anonymised files showed per product would single products out.
        Assert.Contains(catalogue.Products, p => catalogue.Products.Count(q => q.Info.Kind == p.Info.Kind
            && q.Info.Technologies.Order().SequenceEqual(p.Info.Technologies.Order())) == 1);
        Assert.Contains(catalogue.Products, p => catalogue.Products.Count(q =>
            q.Info.Capabilities.Order().SequenceEqual(p.Info.Capabilities.Order())) == 1);

        var (xlsx, pdf, json) = await DownloadAsync(engineer, technologies);
        var observed = new Dictionary<(string Technology, string Label), Observed>();
        Observed At(string technology, string label)
        {
            var key = (technology.ToUpperInvariant(), label);
            if (!observed.TryGetValue(key, out var o)) observed[key] = o = new Observed();
            return o;
        }

        // The workbook: each matrix sheet's labels (and so the vendor groups), each row's and column's logged count and
        // peers with a result; and every text in the same row as a label anywhere in the workbook.
        using var book = new XLWorkbook(new MemoryStream(xlsx));
        foreach (var sheet in book.Worksheets)
        {
            var technology = sheet.Name.StartsWith("Matrix ", StringComparison.Ordinal) ? sheet.Name["Matrix ".Length..] : null;
            foreach (var row in sheet.RowsUsed())
            {
                var texts = row.CellsUsed().Select(c => c.GetString()).ToList();
                var labels = texts.Where(t => Label.IsMatch(t)).ToList();
                if (labels.Count == 0) continue;
                Assert.True(technology is not null, $"sheet '{sheet.Name}' names a product ({labels[0]}) outside a technology's matrix");
                foreach (var label in labels)
                    foreach (var text in texts.SelectMany(t => t.Split(',', StringSplitOptions.TrimEntries)))
                        if (AttributeIn(catalogue, text, technology!) is { } attribute) At(technology!, label).Attributes.Add(attribute);
            }
            if (technology is null) continue;

            var columns = new List<string>();
            for (var c = 2; Label.IsMatch(sheet.Cell(2, c).GetString()); c++) columns.Add(sheet.Cell(2, c).GetString());
            var n = columns.Count;
            Assert.Equal("Logged", sheet.Cell(2, n + 2).GetString());
            Assert.Equal(columns.OrderBy(l => Label.Match(l).Groups[1].Value.Length).ThenBy(l => l, StringComparer.Ordinal), columns);
            for (var i = 0; i < n; i++)
            {
                var label = sheet.Cell(i + 3, 1).GetString();
                Assert.Equal(columns[i], label); // rows and columns in the same (label) order
                var o = At(technology, label);
                o.VendorGroup = columns.Count(l => Vendor(l) == Vendor(label));
                o.RowLogged = sheet.Cell(i + 3, n + 2).GetValue<long>();
                o.ColumnLogged = sheet.Cell(n + 3, i + 2).GetValue<long>();
                o.RowPeers = Enumerable.Range(0, n).Count(j => sheet.Cell(i + 3, j + 2).GetString().Length > 0);
                o.ColumnPeers = Enumerable.Range(0, n).Count(j => sheet.Cell(j + 3, i + 2).GetString().Length > 0);
            }
        }

        // The JSON matrices: the same labels as the workbook's, the same per-label figures.
        foreach (var (scope, body) in json)
        {
            var technology = scope.Split(' ')[0];
            var matrix = JsonDocument.Parse(body).RootElement;
            var labels = matrix.GetProperty("products").EnumerateArray().Select(p => p.GetProperty("label").GetString()!).ToList();
            var cells = matrix.GetProperty("cells").EnumerateArray()
                .Select(c => (I: c.GetProperty("initiator").GetString()!, R: c.GetProperty("responder").GetString()!)).ToList();
            foreach (var label in labels)
            {
                Assert.True(observed.ContainsKey((technology.ToUpperInvariant(), label)), $"{scope}: {label} is not in the workbook's matrix");
                var o = At(technology, label);
                Assert.Equal(labels.Count(l => Vendor(l) == Vendor(label)), o.VendorGroup);
                if (!scope.EndsWith("ordered", StringComparison.Ordinal)) continue;
                var row = matrix.GetProperty("rows").EnumerateArray().Single(r => r.GetProperty("product").GetString() == label);
                var column = matrix.GetProperty("columns").EnumerateArray().Single(r => r.GetProperty("product").GetString() == label);
                Assert.Equal(o.RowLogged, Logged(row.GetProperty("tally")));
                Assert.Equal(o.ColumnLogged, Logged(column.GetProperty("tally")));
                Assert.Equal(o.RowPeers, cells.Count(c => c.I == label));
                Assert.Equal(o.ColumnPeers, cells.Count(c => c.R == label));
                foreach (var field in new[] { "planned", "untested", "progress" })
                    Assert.Equal(JsonValueKind.Null, row.GetProperty("tally").GetProperty(field).ValueKind);
            }
        }

        // The PDF: labels only on a technology's matrix pages, each the workbook's label of that technology.
        using (var document = PdfDocument.Open(pdf))
            foreach (var page in document.GetPages())
            {
                var technology = technologies.FirstOrDefault(t => page.Text.Contains($"Matrix: {t}", StringComparison.Ordinal));
                foreach (Match label in LabelInText.Matches(page.Text))
                {
                    Assert.True(technology is not null, $"PDF page {page.Number} names a product ({label.Value}) outside a matrix");
                    // Page text runs on: "Vendor A · 1" then "93%" reads "Vendor A · 193".
                    Assert.True(observed.Keys.Any(k => k.Technology == technology!.ToUpperInvariant() && label.Value.StartsWith(k.Label, StringComparison.Ordinal)),
                        $"PDF page {page.Number}: {label.Value} is not in the workbook's {technology} matrix");
                }
                if (technology is not null)
                    foreach (var word in page.GetWords().Select(w => w.Text))
                        Assert.Null(AttributeIn(catalogue, word, technology));
            }

        // For each anonymised product, the catalogue products consistent with all of it; for each vendor, the organizations.
        Assert.Equal(catalogue.Products.Sum(p => p.ByTechnology.Count), observed.Count);
        foreach (var ((technology, label), o) in observed)
        {
            var candidates = Candidates(catalogue, technology, o);
            Assert.NotEmpty(candidates); // the real product is always among them
            if (candidates.Count == 1)
                Assert.Fail($"{technology} {label} is singled out: only {candidates[0].Info.Product} fits what the anonymised files say");
        }
        foreach (var vendor in observed.GroupBy(x => (x.Key.Technology, Vendor: Vendor(x.Key.Label))))
        {
            var organizations = catalogue.Products
                .Where(p => p.ByTechnology.TryGetValue(vendor.Key.Technology, out var planned) && planned.VendorGroup == vendor.Count())
                .GroupBy(p => p.Info.Organization)
                .Where(org => vendor.All(member => Candidates(catalogue, vendor.Key.Technology, member.Value).Intersect(org).Any()))
                .ToList();
            Assert.NotEmpty(organizations);
            if (organizations.Count == 1)
                Assert.Fail($"{vendor.Key.Technology} Vendor {vendor.Key.Vendor} is singled out: only {organizations[0].Key} fits");
        }
    }

    [Fact]
    public async Task No_anonymised_file_carries_an_exact_time_a_revision_a_version_or_a_capability_tag()
    {
        var (engineer, catalogue) = await ReadCatalogueAsync();
        var technologies = catalogue.Products.SelectMany(p => p.ByTechnology.Keys).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        var (xlsx, pdf, json) = await DownloadAsync(engineer, technologies);

        var files = new Dictionary<string, string>();
        using (var zip = new ZipArchive(new MemoryStream(xlsx)))
            foreach (var entry in zip.Entries)
                files[$"xlsx {entry.FullName}"] = new StreamReader(entry.Open()).ReadToEnd();
        using (var document = PdfDocument.Open(pdf))
        {
            files["pdf text"] = string.Join("\n", document.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
            files["pdf bytes"] = Encoding.Latin1.GetString(pdf);
        }
        foreach (var (scope, body) in json) files[$"json {scope}"] = body;

        // Versions of products that no pinned plan shares (a plan's version is the public document's, shown on purpose).
        var planVersions = await engineer.GetAsync($"/api/events/{Event}").ReadJson<JsonElement>();
        var pinned = planVersions.GetProperty("plans").EnumerateArray().Select(p => p.GetProperty("version").GetString()!).ToHashSet();
        var versions = catalogue.Versions.Where(v => !pinned.Contains(v)).ToList();
        Assert.NotEmpty(versions);
        foreach (var (file, text) in files)
        {
            Assert.False(ExactTime.IsMatch(text), $"{file} carries an exact time: {ExactTime.Match(text).Value}");
            foreach (var word in new[] { "Revision", "revision", "Updated", "updatedAt" })
                Assert.DoesNotContain(word, text);
            if (file == "pdf bytes") continue; // compressed streams: any digits at all
            foreach (var version in versions)
                Assert.DoesNotMatch(new Regex($@"(?<![\w.]){Regex.Escape(version)}(?![\w.%])"), text);
        }

        using var book = new XLWorkbook(new MemoryStream(xlsx));
        foreach (var cell in book.Worksheets.SelectMany(s => s.CellsUsed()))
        {
            if (cell.DataType == XLDataType.DateTime)
                Assert.Equal(TimeSpan.Zero, cell.GetDateTime().TimeOfDay);
            // A list of tags anywhere; a single tag where products are shown. The test plans' own content (a section
            // named like a tag) is the same public document for everyone.
            var parts = cell.GetString().Split(',', StringSplitOptions.TrimEntries);
            var perProduct = cell.Worksheet.Name.StartsWith("Matrix ", StringComparison.Ordinal) || cell.Worksheet.Name == "Participants";
            Assert.False(parts.All(catalogue.Tags.Contains) && (parts.Length > 1 || perProduct),
                $"{cell.Worksheet.Name}!{cell.Address} lists capability tags: {cell.GetString()}");
        }
        var tagList = new Regex($@"(?<![\w.-])({string.Join("|", catalogue.Tags.Select(Regex.Escape))}), ({string.Join("|", catalogue.Tags.Select(Regex.Escape))})(?![\w.-])");
        Assert.DoesNotMatch(tagList, files["pdf text"]);
        using (var document = PdfDocument.Open(pdf))
            foreach (var page in document.GetPages().Where(p => p.Text.Contains("Matrix: ") || p.Text.Contains("Participants")))
                Assert.DoesNotContain(page.GetWords().Select(w => w.Text), catalogue.Tags.Contains);
        foreach (var (scope, body) in json)
            Assert.DoesNotContain(Strings(JsonDocument.Parse(body).RootElement), catalogue.Tags.Contains);
    }

    [Fact]
    public async Task The_comparison_with_the_previous_event_names_no_product_line_or_organization_of_either_event()
    {
        var (engineer, _) = await ReadCatalogueAsync();
        var (xlsx, pdf, _) = await DownloadAsync(engineer, []);

        // Everything that names a product of either event, as the admin's catalogue holds it.
        var products = await app.Admin().GetAsync("/api/products").ReadJson<List<JsonElement>>();
        var names = products.SelectMany(p => new[] { "key", "name", "line", "organization", "organizationName" }
                .Select(field => p.TryGetProperty(field, out var v) ? v.GetString() : null))
            .OfType<string>().Where(n => n.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        Assert.NotEmpty(names);

        using var book = new XLWorkbook(new MemoryStream(xlsx));
        var summary = book.Worksheet("Summary");
        var heading = summary.CellsUsed().Single(c => c.GetString() == "Compared with the previous event");
        var block = summary.Rows(heading.Address.RowNumber, summary.LastRowUsed()!.RowNumber())
            .SelectMany(r => r.CellsUsed()).Select(c => c.GetString()).ToList();
        var earlier = (await app.Admin().GetAsync($"/api/events/{DemoEarlierEvent.Key}").ReadJson<JsonElement>()).GetProperty("name").GetString()!;
        Assert.Contains(earlier, block);
        string pdfText;
        using (var document = PdfDocument.Open(pdf))
            pdfText = string.Join("\n", document.GetPages().Select(p => string.Join(" ", p.GetWords().Select(w => w.Text))));
        var section = pdfText[pdfText.IndexOf("Compared with the previous event", StringComparison.Ordinal)..];
        section = section[..Math.Max(0, section.IndexOf("All technologies", StringComparison.Ordinal))];
        Assert.Contains("Regressed", section);

        foreach (var name in names)
        {
            Assert.DoesNotContain(block, text => Names(text, name));
            Assert.False(Names(section, name), $"the PDF's comparison names {name}");
        }

        static bool Names(string text, string name) =>
            Regex.IsMatch(text, $@"(?<![\w-]){Regex.Escape(name)}(?![\w-])", RegexOptions.IgnoreCase);
    }

    [Theory]
    [InlineData("", "technology")]
    [InlineData("&plan=sip-video-basic", "technology")]
    [InlineData("&technology=SIP&plan=sip-video-basic", "plan")]
    [InlineData("&technology=SIP&section=call-setup", "section")]
    [InlineData("&technology=SIP&case=SIP-CS-001", "case")]
    public async Task An_anonymised_matrix_is_refused_for_other_scopes_than_one_whole_technology(string scope, string field)
    {
        var member = await app.ClientFor(Roles.Member);
        var problem = await Problem.ReadAsync(await member.GetAsync($"/api/events/{Event}/matrix?anonymize=true{scope}"),
            HttpStatusCode.BadRequest);
        Assert.Contains(field, problem.Errors.Keys);
        Assert.Equal(HttpStatusCode.OK, (await member.GetAsync($"/api/events/{Event}/matrix?anonymize=false{scope}")).StatusCode);
    }

    private static IEnumerable<string> Strings(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => e.EnumerateObject().SelectMany(p => Strings(p.Value).Prepend(p.Name)),
        JsonValueKind.Array => e.EnumerateArray().SelectMany(Strings),
        JsonValueKind.String => [e.GetString()!],
        _ => [],
    };

    private static string Vendor(string label) => Label.Match(label).Groups[1].Value;

    private static long Logged(JsonElement tally) =>
        tally.GetProperty("pass").GetInt64() + tally.GetProperty("fail").GetInt64() + tally.GetProperty("na").GetInt64()
        + tally.GetProperty("blocked").GetInt64();

    /// <summary>The catalogue attribute a text names (a kind, another technology, a capability tag, a version), if any.</summary>
    private static string? AttributeIn(Catalogue catalogue, string text, string technology) =>
        catalogue.Kinds.Contains(text) || catalogue.Tags.Contains(text) || catalogue.Versions.Contains(text)
        || (catalogue.Technologies.Contains(text) && !text.Equals(technology, StringComparison.OrdinalIgnoreCase))
            ? text
            : null;

    /// <summary>The catalogue products that fit everything observed about one label of one technology.</summary>
    private static List<Known> Candidates(Catalogue catalogue, string technology, Observed o) =>
        catalogue.Products.Where(p =>
            p.ByTechnology.TryGetValue(technology, out var planned)
            && planned.VendorGroup == o.VendorGroup
            && o.RowLogged <= planned.Row && o.ColumnLogged <= planned.Column
            && o.RowPeers <= planned.RowPeers && o.ColumnPeers <= planned.ColumnPeers
            && o.Attributes.All(a => p.Info.Kind.Equals(a, StringComparison.OrdinalIgnoreCase)
                                     || p.Info.Technologies.Contains(a, StringComparer.OrdinalIgnoreCase)
                                     || p.Info.Capabilities.Contains(a) || p.Info.Version == a))
            .ToList();
}
