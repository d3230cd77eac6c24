using System.Net;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Vendors;

namespace InteropTracker.Tests.Vendors;

public class VendorsApiTests(AppFixture app) : IClassFixture<AppFixture>
{
    private readonly Build _build = new(seed: 3);

    [Fact]
    public async Task A_chair_registers_an_organization_and_every_role_reads_it()
    {
        var chair = await app.ClientFor(Roles.Chair);
        var given = _build.Organization();

        var response = await chair.PostJson("/api/organizations", given);
        var created = await response.ReadJson<Organization>(HttpStatusCode.Created);
        Assert.Equal($"/api/organizations/{given.Key}", response.Headers.Location?.OriginalString);
        Assert.Equal((given.Key, given.Name), (created.Key, created.Name));

        foreach (var reader in new[] { await app.ClientFor(Roles.Member), await app.ClientFor(Roles.Engineer, given.Key), app.Admin() })
        {
            var one = await reader.GetAsync($"/api/organizations/{given.Key}").ReadJson<Organization>();
            Assert.Equal(given.Name, one.Name);
            var all = await reader.GetAsync("/api/organizations").ReadJson<List<Organization>>();
            Assert.Contains(all, o => o.Key == given.Key);
        }
    }

    [Theory]
    [InlineData(Roles.Admin, HttpStatusCode.Created)]
    [InlineData(Roles.Chair, HttpStatusCode.Created)]
    [InlineData(Roles.Engineer, HttpStatusCode.Forbidden)]
    [InlineData(Roles.Member, HttpStatusCode.Forbidden)]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    public async Task Only_admins_and_chairs_register_organizations_and_products(string? role, HttpStatusCode expected)
    {
        var vendor = await app.Admin().Register(_build.Organization());
        var client = role switch
        {
            null => app.Anonymous(),
            Roles.Admin => app.Admin(),
            Roles.Engineer => await app.ClientFor(role, vendor.Key),
            _ => await app.ClientFor(role),
        };
        using var db = app.OpenDatabase();
        var before = db.ExecuteScalar<long>("SELECT (SELECT count(*) FROM organizations) + (SELECT count(*) FROM products)");

        var organization = await client.PostJson("/api/organizations", _build.Organization());
        var product = await client.PostJson("/api/products", _build.Product(vendor.Key));

        foreach (var response in new[] { organization, product })
            if (expected == HttpStatusCode.Created)
                Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            else
                await Problem.ReadAsync(response, expected);
        var after = db.ExecuteScalar<long>("SELECT (SELECT count(*) FROM organizations) + (SELECT count(*) FROM products)");
        Assert.Equal(expected == HttpStatusCode.Created ? before + 2 : before, after);
    }

    [Fact]
    public async Task Anonymous_callers_read_no_vendor()
    {
        await Problem.ReadAsync(await app.Anonymous().GetAsync("/api/organizations"), HttpStatusCode.Unauthorized);
        await Problem.ReadAsync(await app.Anonymous().GetAsync("/api/products"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task A_key_already_taken_answers_409_and_keeps_the_first()
    {
        var chair = await app.ClientFor(Roles.Chair);
        var first = await chair.Register(_build.Organization());
        var again = await chair.PostJson("/api/organizations", _build.Organization() with { Key = first.Key });
        await Problem.ReadAsync(again, HttpStatusCode.Conflict);

        var product = await chair.Register(_build.Product(first.Key));
        var duplicate = await chair.PostJson("/api/products", _build.Product(first.Key) with { Key = product.Key, Name = "Other" });
        await Problem.ReadAsync(duplicate, HttpStatusCode.Conflict);
        Assert.Equal(product.Name, (await chair.GetAsync($"/api/products/{product.Key}").ReadJson<Product>()).Name);
    }

    [Theory]
    [InlineData("Acme")]
    [InlineData("acme_video")]
    [InlineData("acme--video")]
    [InlineData("-acme")]
    public async Task An_organization_key_that_is_not_a_slug_answers_400(string key)
    {
        var response = await app.Admin().PostJson("/api/organizations", new { key, name = "Acme" });
        var problem = await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        Assert.Contains("slug", problem.Text);
    }

    [Fact]
    public async Task A_product_is_registered_with_its_kind_technologies_and_capabilities()
    {
        var chair = await app.ClientFor(Roles.Chair);
        await chair.LoadPlan(Build.Plan(new CaseSpec { Id = "VIDEO-1", Requires = ["h264"], Responder = ["rtcp-fb.pli"] }));
        var vendor = await chair.Register(_build.Organization());
        var given = _build.Product(vendor.Key) with
        {
            Kind = "gateway", Technologies = ["SIP", "webrtc", "sip"], Capabilities = ["h264", "rtcp-fb.pli", "h264"],
        };

        var response = await chair.PostJson("/api/products", given);
        var created = await response.ReadJson<Product>(HttpStatusCode.Created);

        Assert.Equal($"/api/products/{given.Key}", response.Headers.Location?.OriginalString);
        Assert.Equal((given.Key, vendor.Key, vendor.Name, given.Name, given.Version, "gateway"),
            (created.Key, created.Organization, created.OrganizationName, created.Name, created.Version, created.Kind));
        Assert.Equal(["SIP", "webrtc"], created.Technologies);
        Assert.Equal(["h264", "rtcp-fb.pli"], created.Capabilities);
        var read = await (await app.ClientFor(Roles.Member)).GetAsync($"/api/products/{given.Key}").ReadJson<Product>();
        Assert.Equal(created with { Technologies = [], Capabilities = [] }, read with { Technologies = [], Capabilities = [] });
        Assert.Equal(created.Technologies, read.Technologies);
        Assert.Equal(created.Capabilities, read.Capabilities);
    }

    [Fact]
    public async Task A_product_line_is_its_key_unless_given_and_is_checked_as_a_key()
    {
        var chair = await app.ClientFor(Roles.Chair);
        var vendor = await chair.Register(_build.Organization());
        var plain = _build.Product(vendor.Key) with { Line = null };
        var versioned = _build.Product(vendor.Key) with { Line = "acme-room-line" };

        Assert.Equal(plain.Key, (await chair.PostJson("/api/products", plain).ReadJson<Product>(HttpStatusCode.Created)).Line);
        Assert.Equal("acme-room-line", (await chair.PostJson("/api/products", versioned).ReadJson<Product>(HttpStatusCode.Created)).Line);
        var read = await (await app.ClientFor(Roles.Member)).GetAsync($"/api/products/{versioned.Key}").ReadJson<Product>();
        Assert.Equal("acme-room-line", read.Line);

        var bad = _build.Product(vendor.Key) with { Line = "Not A Slug" };
        var problem = await Problem.ReadAsync(await chair.PostJson("/api/products", bad), HttpStatusCode.BadRequest);
        Assert.Contains("Line", problem.Errors.Keys, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(HttpStatusCode.NotFound, (await chair.GetAsync($"/api/products/{bad.Key}")).StatusCode);
    }

    [Fact]
    public async Task A_technology_takes_the_spelling_of_the_loaded_test_plans()
    {
        var chair = await app.ClientFor(Roles.Chair);
        await chair.LoadPlan(Build.Plan(new CaseSpec { Id = "RTC-001" }) with { Technology = "WebRTC" });
        var vendor = await chair.Register(_build.Organization());

        var product = await chair.Register(_build.Product(vendor.Key) with { Technologies = ["WEBRTC", "Matrix 2"] });

        Assert.Equal(["WebRTC", "Matrix 2"], product.Technologies);
    }

    [Fact]
    public async Task A_bad_kind_technology_or_tag_answers_400_naming_it_and_stores_nothing()
    {
        var chair = await app.ClientFor(Roles.Chair);
        await chair.LoadPlan(Build.Plan(new CaseSpec { Id = "VIDEO-1", Requires = ["h264"] })); // h264 a known tag, in any order of tests
        var vendor = await chair.Register(_build.Organization());
        var given = _build.Product(vendor.Key) with
        {
            Kind = "phone", Technologies = ["SIP", "<script>"], Capabilities = ["h264", "H264", "rtcp fb"],
        };

        var problem = await Problem.ReadAsync(await chair.PostJson("/api/products", given), HttpStatusCode.BadRequest);

        Assert.Equal(["capabilities[1]", "capabilities[2]", "kind", "technologies[1]"], problem.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("endpoint, mcu, gateway", problem.Errors["kind"][0]);
        Assert.Contains("'H264'", problem.Errors["capabilities[1]"][0]);
        await Problem.ReadAsync(await chair.GetAsync($"/api/products/{given.Key}"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Null_lists_and_null_tags_are_refused_cleanly()
    {
        // h264 must be a tag some loaded plan uses, whichever test of the class ran first.
        await app.Admin().LoadPlan(Build.Plan(new CaseSpec { Id = "VIDEO-1", Requires = ["h264"] }));
        var vendor = await app.Admin().Register(_build.Organization());
        var body = new { key = Build.UniqueKey("odd"), organization = vendor.Key, name = "Odd", version = "1", kind = "other",
            technologies = (string[]?)null, capabilities = new string?[] { "h264", null } };

        var problem = await Problem.ReadAsync(await app.Admin().PostJson("/api/products", body), HttpStatusCode.BadRequest);

        Assert.Equal(["capabilities[1]"], problem.Errors.Keys);
        var fixedUp = await app.Admin().PostJson("/api/products", body with { capabilities = new string?[] { "h264" } })
            .ReadJson<Product>(HttpStatusCode.Created);
        Assert.Empty(fixedUp.Technologies);
    }

    [Fact]
    public async Task A_product_of_an_unknown_organization_answers_422()
    {
        var given = _build.Product("nobody-at-all");
        var problem = await Problem.ReadAsync(await app.Admin().PostJson("/api/products", given), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["organization"], problem.Errors.Keys);
        Assert.Contains("nobody-at-all", problem.Errors["organization"][0]);
    }

    [Fact]
    public async Task Products_are_listed_all_or_by_organization()
    {
        var chair = await app.ClientFor(Roles.Chair);
        var vendor = await chair.Register(_build.Organization());
        var other = await chair.Register(_build.Organization());
        var mine = new[] { await chair.Register(_build.Product(vendor.Key)), await chair.Register(_build.Product(vendor.Key)) };
        var theirs = await chair.Register(_build.Product(other.Key));

        var listed = await chair.GetAsync($"/api/products?organization={vendor.Key}").ReadJson<List<Product>>();
        Assert.Equal(mine.Select(p => p.Key).Order(StringComparer.Ordinal), listed.Select(p => p.Key));
        var all = await chair.GetAsync("/api/products").ReadJson<List<Product>>();
        Assert.Contains(all, p => p.Key == theirs.Key);
    }

    [Fact]
    public async Task Unknown_keys_answer_404()
    {
        await Problem.ReadAsync(await app.Admin().GetAsync("/api/organizations/none-such"), HttpStatusCode.NotFound);
        await Problem.ReadAsync(await app.Admin().GetAsync("/api/products/none-such"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Every_registration_records_who_and_when()
    {
        var chairToken = await app.NewToken(Roles.Chair);
        var chair = app.WithToken(chairToken);
        var vendor = await chair.Register(_build.Organization());
        var product = await chair.Register(_build.Product(vendor.Key));

        using var db = app.OpenDatabase();
        var chairId = db.ExecuteScalar<long>("SELECT id FROM tokens WHERE hash = @hash", new { hash = Tokens.Hash(chairToken) });
        Assert.Equal(chairId, db.ExecuteScalar<long>("SELECT created_by FROM organizations WHERE key = @key", new { key = vendor.Key }));
        Assert.Equal(chairId, db.ExecuteScalar<long>("SELECT created_by FROM products WHERE key = @key", new { key = product.Key }));
        var audit = db.Query<(string Action, string Subject)>(
            "SELECT action, subject FROM audit_log WHERE token_id = @chairId ORDER BY id", new { chairId }).ToList();
        Assert.Equal([("organization.create", vendor.Key), ("product.create", product.Key)], audit);
    }
}
