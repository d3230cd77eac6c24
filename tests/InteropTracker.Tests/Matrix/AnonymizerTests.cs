using System.Text.RegularExpressions;
using InteropTracker.Core;
using InteropTracker.Matrix;

namespace InteropTracker.Tests.Matrix;

public class AnonymizerTests
{
    // Ten vendors in alphabetical order of key (ids 1..10), one product each (ids 101..110).
    private static readonly string[] Vendors =
        ["alcatel", "avaya", "cisco", "ericsson", "huawei", "mitel", "nokia", "polycom", "sonus", "zoom"];

    private static List<(long Id, string Key, long OrganizationId, string OrganizationKey)> OneProductEach(IReadOnlyList<string> vendors) =>
        vendors.Select((vendor, i) => (101L + i, $"{vendor}-phone", 1L + i, vendor)).ToList();

    /// <summary>The vendors' keys in the order of their labels (Vendor A first).</summary>
    private static List<string> Order(string secret, IReadOnlyList<string> vendors)
    {
        var anonymizer = new Anonymizer(secret, "SIP", OneProductEach(vendors));
        return vendors.Select((vendor, i) => (vendor, label: anonymizer.Organization(1L + i)))
            .OrderBy(v => v.label.Length).ThenBy(v => v.label, StringComparer.Ordinal)
            .Select(v => v.vendor)
            .ToList();
    }

    [Theory]
    [InlineData(0, "A")]
    [InlineData(1, "B")]
    [InlineData(25, "Z")]
    [InlineData(26, "AA")]
    [InlineData(27, "AB")]
    [InlineData(51, "AZ")]
    [InlineData(52, "BA")]
    [InlineData(701, "ZZ")]
    [InlineData(702, "AAA")]
    public void Letters_count_like_spreadsheet_columns(int index, string letters)
    {
        Assert.Equal(letters, Anonymizer.Letters(index));
    }

    [Fact]
    public void Thirty_vendors_are_labelled_Vendor_A_to_Vendor_Z_then_Vendor_AA_to_Vendor_AD()
    {
        var vendors = Enumerable.Range(0, 30).Select(i => $"vendor-{i:00}").ToList();
        var anonymizer = new Anonymizer("secret", "SIP", OneProductEach(vendors));

        var labels = vendors.Select((_, i) => anonymizer.Organization(1L + i)).ToList();

        var expected = Enumerable.Range(0, 26).Select(i => $"Vendor {(char)('A' + i)}")
            .Concat(["Vendor AA", "Vendor AB", "Vendor AC", "Vendor AD"]);
        Assert.Equal(expected.Order(StringComparer.Ordinal), labels.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Products_are_numbered_within_their_vendor_and_carry_no_name()
    {
        List<(long, string, long, string)> products =
        [
            (11, "acme-phone", 1, "acme"), (12, "acme-sbc", 1, "acme"), (13, "acme-mcu", 1, "acme"),
            (21, "bolt-gw", 2, "bolt"),
        ];
        var anonymizer = new Anonymizer("secret", "SIP", products);
        var acme = anonymizer.Organization(1);
        var bolt = anonymizer.Organization(2);

        Assert.Equal(new[] { "Vendor A", "Vendor B" }, new[] { acme, bolt }.Order(StringComparer.Ordinal));
        Assert.Equal([$"{acme} · 1", $"{acme} · 2", $"{acme} · 3"],
            new long[] { 11, 12, 13 }.Select(anonymizer.Product).Order(StringComparer.Ordinal));
        Assert.Equal($"{bolt} · 1", anonymizer.Product(21));
        foreach (var id in new long[] { 11, 12, 13, 21 })
            Assert.Matches(new Regex("^Vendor [A-Z]+ · [0-9]+$"), anonymizer.Product(id));
    }

    [Fact]
    public void The_order_depends_on_the_secret()
    {
        Assert.NotEqual(Order("event-secret-1", Vendors), Order("event-secret-2", Vendors));
    }

    [Fact]
    public void The_order_is_not_alphabetical_nor_that_of_registration()
    {
        var order = Order("event-secret-1", Vendors);

        Assert.NotEqual("alcatel", order[0]); // alphabetically first and registered first, yet not Vendor A
        Assert.NotEqual(Vendors, order);
        Assert.Equal(Vendors.Order(), order.Order());
    }

    [Fact]
    public void The_same_secret_and_technology_give_the_same_labels_whatever_order_the_products_come_in_and_the_technology_is_written()
    {
        List<(long Id, string Key, long OrganizationId, string OrganizationKey)> products =
        [
            .. OneProductEach(Vendors),
            (201, "alcatel-sbc", 1, "alcatel"), (202, "alcatel-mcu", 1, "alcatel"), (203, "zoom-client", 10, "zoom"),
        ];
        var first = new Anonymizer("event-secret-1", "SIP", products);
        var again = new Anonymizer("event-secret-1", "sip", Enumerable.Reverse(products));

        foreach (var p in products)
        {
            Assert.Equal(first.Organization(p.OrganizationId), again.Organization(p.OrganizationId));
            Assert.Equal(first.Product(p.Id), again.Product(p.Id));
        }
    }

    [Fact]
    public void Each_technology_draws_its_own_labels_so_no_label_links_two_matrices()
    {
        var products = OneProductEach(Vendors);
        var sip = new Anonymizer("event-secret-1", "SIP", products);
        var webrtc = new Anonymizer("event-secret-1", "WebRTC", products);

        Assert.NotEqual(products.Select(p => sip.Product(p.Id)), products.Select(p => webrtc.Product(p.Id)));
    }

    [Fact]
    public void A_withheld_tally_shows_what_was_logged_and_nothing_untested()
    {
        var withheld = Anonymizer.Withheld(new Tally(12, 3, 1, 1, 0));

        Assert.Equal(new Tally(5, 3, 1, 1, 0), withheld);
        Assert.Equal(0, withheld.Untested);
        Assert.Equal(0.75, withheld.Rate);
    }

    [Fact]
    public void A_new_secret_is_32_random_bytes_in_hex()
    {
        var secret = Anonymizer.NewSecret();
        Assert.Matches(new Regex("^[0-9a-f]{64}$"), secret);
        Assert.NotEqual(secret, Anonymizer.NewSecret());
    }
}
