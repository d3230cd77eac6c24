using System.Net;
using Dapper;
using InteropTracker.Core;
using InteropTracker.Vendors;

namespace InteropTracker.Tests.Vendors;

public sealed class CapabilityTagsTests(AppFixture app) : IClassFixture<AppFixture>
{
    private static readonly string[] Known = ["bfcp", "h264", "h265", "opus", "sip.tls", "rtcp-fb.pli", "dtmf.rfc4733", "vp8"];

    private readonly Build _build = new(seed: 10);

    [Theory]
    [InlineData("bfcpp", "bfcp")]
    [InlineData("h246", "h264")]
    [InlineData("H264", "h264")]
    [InlineData("sip-tls", "sip.tls")]
    [InlineData("rtcp-fb-pli", "rtcp-fb.pli")]
    [InlineData("opsu", "opus")]
    public void A_misspelt_tag_is_answered_with_the_tag_meant_first(string typed, string meant) =>
        Assert.Equal(meant, CapabilityTags.Suggest(typed, Known)[0]);

    [Fact]
    public void A_tag_near_several_gets_them_nearest_first_and_one_near_none_gets_none()
    {
        Assert.Equal(["h264", "h265"], CapabilityTags.Suggest("h26", Known));
        Assert.Empty(CapabilityTags.Suggest("quic", Known));
        Assert.Contains("none is close to it", CapabilityTags.Unknown("quic", Known));
        Assert.Contains("no loaded plan uses capability tags yet", CapabilityTags.Unknown("h264", []));
    }

    [Theory]
    [InlineData("", "", 0)]
    [InlineData("abc", "abc", 0)]
    [InlineData("abc", "acb", 1)]
    [InlineData("kitten", "sitting", 3)]
    [InlineData("bfcpp", "bfcp", 1)]
    public void Distance_counts_edits_and_a_swap_of_neighbours_as_one(string a, string b, int expected)
    {
        Assert.Equal(expected, CapabilityTags.Distance(a, b));
        Assert.Equal(expected, CapabilityTags.Distance(b, a));
    }

    [Fact]
    public void Check_keys_each_unknown_tag_by_its_position_and_passes_known_ones()
    {
        var errors = CapabilityTags.Check(["h264", "bfcpp", "opus", "h246"], Known);
        Assert.Equal(["capabilities[1]", "capabilities[3]"], errors.Keys.Order());
        Assert.Contains("'bfcp'", errors["capabilities[1]"][0]);
        Assert.Contains("'h264'", errors["capabilities[3]"][0]);
        Assert.Empty(CapabilityTags.Check(["h264", "vp8"], Known));
    }

    [Theory]
    [InlineData("Acme Room Kit 7", "acme-room-kit-7")]
    [InlineData("  Café  Communications GmbH ", "cafe-communications-gmbh")]
    [InlineData("H.323 -- Gateway", "h-323-gateway")]
    [InlineData("???", "")]
    public void A_key_is_proposed_from_a_name(string name, string key)
    {
        Assert.Equal(key, Vocabulary.Slug(name));
        if (key.Length > 0) Assert.Matches(Vocabulary.KeyPattern, key);
    }

    private async Task<(HttpClient Chair, string Organization)> ChairWithPlan()
    {
        var chair = await app.ClientFor(Roles.Chair);
        await chair.LoadPlan(Build.Plan(
            new CaseSpec { Id = "BF-1", Requires = ["bfcp"] },
            new CaseSpec { Id = "VI-1", Requires = ["h264"], Initiator = ["rtcp-fb.pli"], Responder = ["opus"] }));
        var organization = await chair.Register(_build.Organization());
        return (chair, organization.Key);
    }

    private long Products()
    {
        using var db = app.OpenDatabase();
        return db.ExecuteScalar<long>("SELECT count(*) FROM products");
    }

    [Fact]
    public async Task A_product_with_misspelt_tags_is_refused_with_the_nearest_known_tags_and_nothing_is_registered()
    {
        var (chair, organization) = await ChairWithPlan();
        var before = Products();

        var product = _build.Product(organization) with { Capabilities = ["bfcpp", "h264", "h246", "opus"] };
        var problem = await Problem.ReadAsync(await chair.PostJson("/api/products", product), HttpStatusCode.UnprocessableEntity);

        Assert.Equal(["capabilities[0]", "capabilities[2]"], problem.Errors.Keys.Order());
        Assert.Contains("'bfcpp' is not a tag any loaded test plan uses; did you mean 'bfcp'?", problem.Errors["capabilities[0]"][0]);
        Assert.Contains("did you mean 'h264'?", problem.Errors["capabilities[2]"][0]);
        Assert.Equal(before, Products());
        Assert.Equal(HttpStatusCode.NotFound, (await chair.GetAsync($"/api/products/{product.Key}")).StatusCode);

        var fixedUp = await chair.Register(product with { Capabilities = ["bfcp", "h264", "opus", "rtcp-fb.pli"] });
        Assert.Equal(["bfcp", "h264", "opus", "rtcp-fb.pli"], fixedUp.Capabilities);
    }

    [Fact]
    public async Task Every_error_of_a_product_is_answered_at_once()
    {
        var (chair, organization) = await ChairWithPlan();
        var before = Products();
        var body = new
        {
            key = "Not A Key", organization, name = "", version = "1.0", kind = "phone",
            technologies = new[] { "SIP" }, capabilities = new[] { "H 264", "bfcpp" },
        };
        var response = await chair.PostJson("/api/products", body);
        // The API's own validation answers the request's shape first; the page (below, through the same feature) gets all.
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);

        var all = await VendorsApi.CreateProductAsync(new VendorsApi.NewProduct
        {
            Key = "Not A Key", Organization = "nobody-here", Name = "", Version = "1.0", Kind = "phone",
            Technologies = ["SIP"], Capabilities = ["H 264", "bfcpp"],
        }, new Caller(1, "chair", Roles.Chair, null), app.Database);
        Assert.Equal(RefusalKind.Invalid, all.Refusal!.Kind);
        Assert.Equal(["capabilities[0]", "capabilities[1]", "key", "kind", "name", "organization"], all.Refusal.Errors.Keys.Order());
        Assert.Contains("did you mean 'bfcp'?", all.Refusal.Errors["capabilities[1]"][0]);
        Assert.Equal(before, Products());
    }
}
