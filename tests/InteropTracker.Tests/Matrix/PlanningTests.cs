using InteropTracker.Core;
using InteropTracker.Matrix;

namespace InteropTracker.Tests.Matrix;

public class PlanningTests
{
    // Two vendors' products that qualify for anything SIP with video and tls, unless a test takes something away.
    private static readonly Participant Phone = Build.Product(1, "phone", organizationId: 1, "SIP", "video tls");
    private static readonly Participant Mcu = Build.Product(2, "mcu", organizationId: 2, "SIP", "video tls");

    [Fact]
    public void A_planned_pair_has_no_reason_against_it()
    {
        var c = Build.Case(1, "call-1", requires: "video", initiator: "tls", responder: "tls");
        Assert.Null(Planning.WhyNot(c, Phone, Mcu, includeSameOrganization: false));
        Assert.True(Planning.Qualifies(c, Phone, Mcu, includeSameOrganization: false));
    }

    [Fact]
    public void A_product_paired_with_itself_is_named()
    {
        var why = Planning.WhyNot(Build.Case(1, "call-1"), Phone, Phone, includeSameOrganization: true);
        Assert.Equal("a product cannot be paired with itself ('phone')", why);
    }

    [Fact]
    public void Two_products_of_one_organization_are_named_unless_the_event_includes_them()
    {
        var sibling = Build.Product(3, "phone-pro", organizationId: 1, "SIP", "video tls");
        var c = Build.Case(1, "call-1");

        var why = Planning.WhyNot(c, Phone, sibling, includeSameOrganization: false);

        Assert.Equal("'phone' and 'phone-pro' belong to the same organization, and this event pairs only different organizations", why);
        Assert.Null(Planning.WhyNot(c, Phone, sibling, includeSameOrganization: true));
    }

    [Fact]
    public void A_missing_technology_names_the_product_on_either_side_and_the_technology()
    {
        var c = Build.Case(1, "rtc-1", technology: "WebRTC");
        var browser = Build.Product(3, "browser", organizationId: 3, "WebRTC SIP");

        Assert.Equal("'phone' does not declare the technology WebRTC of case rtc-1", Planning.WhyNot(c, Phone, browser, false));
        Assert.Equal("'phone' does not declare the technology WebRTC of case rtc-1", Planning.WhyNot(c, browser, Phone, false));
    }

    [Fact]
    public void A_technology_is_matched_without_regard_to_case()
    {
        Assert.Null(Planning.WhyNot(Build.Case(1, "call-1", technology: "sip"), Phone, Mcu, false));
    }

    [Fact]
    public void A_missing_required_capability_names_the_product_on_either_side_and_the_tag()
    {
        var c = Build.Case(1, "video-1", requires: "video h264");
        var h264 = Build.Product(3, "camera", organizationId: 3, "SIP", "video h264");

        Assert.Equal("'phone' does not declare the capability 'h264' that case video-1 requires", Planning.WhyNot(c, Phone, h264, false));
        Assert.Equal("'phone' does not declare the capability 'h264' that case video-1 requires", Planning.WhyNot(c, h264, Phone, false));
    }

    [Fact]
    public void A_missing_initiator_tag_names_the_initiator_and_the_tag()
    {
        var c = Build.Case(1, "xfer-1", initiator: "transcode");
        var sbc = Build.Product(3, "sbc", organizationId: 3, "SIP", "transcode");

        Assert.Equal("initiator 'phone' does not declare the capability 'transcode' that case xfer-1 needs of the initiator",
            Planning.WhyNot(c, Phone, sbc, false));
        Assert.Null(Planning.WhyNot(c, sbc, Phone, false));
    }

    [Fact]
    public void A_missing_responder_tag_names_the_responder_and_the_tag()
    {
        var c = Build.Case(1, "conf-1", responder: "mixing");
        var bridge = Build.Product(3, "bridge", organizationId: 3, "SIP", "mixing");

        Assert.Equal("responder 'phone' does not declare the capability 'mixing' that case conf-1 needs of the responder",
            Planning.WhyNot(c, bridge, Phone, false));
        Assert.Null(Planning.WhyNot(c, Phone, bridge, false));
    }

    [Fact]
    public void A_non_directional_case_given_larger_key_first_names_the_order_it_is_stored_in()
    {
        var c = Build.Case(1, "tls-1", directional: false, requires: "tls");

        // "mcu" < "phone": the pair's one cell is mcu → phone.
        Assert.Null(Planning.WhyNotCell(c, Mcu, Phone, false));
        Assert.Equal("case tls-1 is not directional: its result is stored once per pair, with the smaller product key ('mcu') as initiator",
            Planning.WhyNotCell(c, Phone, Mcu, false));
        Assert.Equal((Mcu, Phone), Planning.Stored(c, Phone, Mcu));
    }

    [Fact]
    public void A_non_directional_case_is_planned_when_only_the_larger_key_can_initiate_and_sits_smaller_key_first()
    {
        var c = Build.Case(1, "xfer-2", directional: false, initiator: "transcode");
        var sbc = Build.Product(3, "sbc", organizationId: 3, "SIP", "transcode");

        // phone → sbc does not qualify (phone cannot transcode) but sbc → phone does, so the pair has one cell,
        // stored as phone → sbc because "phone" < "sbc".
        Assert.NotNull(Planning.WhyNot(c, Phone, sbc, false));
        Assert.Null(Planning.WhyNotCell(c, Phone, sbc, false));
        Assert.NotNull(Planning.WhyNotCell(c, sbc, Phone, false));
        Assert.Equal([(Phone, sbc)], Planning.Cells([c], [Phone, sbc], false).Select(cell => (cell.Initiator, cell.Responder)));
        Assert.Equal(1, Planning.Count([c], [sbc, Phone], false).Cells[0, 1]);
    }

    [Fact]
    public void A_non_directional_case_planned_in_neither_order_gives_the_real_reason_whatever_the_order()
    {
        var c = Build.Case(1, "video-2", directional: false, requires: "h264");

        Assert.Equal("'mcu' does not declare the capability 'h264' that case video-2 requires", Planning.WhyNotCell(c, Mcu, Phone, false));
        Assert.Equal("'phone' does not declare the capability 'h264' that case video-2 requires", Planning.WhyNotCell(c, Phone, Mcu, false));
    }

    [Fact]
    public void Count_agrees_with_Cells_when_products_tell_technologies_apart_by_case()
    {
        // A caller may build the technology sets case-sensitively; then "sip" is not "SIP", for Count as for Cells.
        var strict = new HashSet<string>(["SIP"], StringComparer.Ordinal);
        var products = new[] { Phone with { Technologies = strict }, Mcu with { Technologies = strict } };
        var cases = new[] { Build.Case(1, "call-1", technology: "SIP"), Build.Case(2, "call-2", technology: "sip") };

        var counts = Planning.Count(cases, products, false);

        Assert.Equal(2, Planning.Cells(cases, products, false).Count());
        Assert.Equal(2, counts.Total);
        Assert.Equal(2, counts.PerCase[1]);
        Assert.Equal(0, counts.PerCase[2]);
    }

    [Fact]
    public void Count_agrees_with_Cells_when_a_tag_contains_a_comma()
    {
        // "srtp,tls" is one tag that neither product declares; "srtp" and "tls" are two that both declare.
        var products = new[] { Phone with { Capabilities = new HashSet<string> { "tls", "srtp" } }, Mcu with { Capabilities = new HashSet<string> { "tls", "srtp" } } };
        var cases = new[] { Build.Case(1, "sec-1", requires: "tls srtp"), Build.Case(2, "sec-2", requires: "srtp,tls") };

        var counts = Planning.Count(cases, products, false);

        Assert.Equal(2, Planning.Cells(cases, products, false).Count());
        Assert.Equal(2, counts.PerCase[1]);
        Assert.Equal(0, counts.PerCase[2]);
    }

    [Fact]
    public void Planned_counts_list_the_products_in_ordinal_key_order()
    {
        var upper = Build.Product(3, "Zeta", organizationId: 3);
        var counts = Planning.Count([Build.Case(1, "call-1")], [Phone, Mcu, upper], false);
        Assert.Equal(["Zeta", "mcu", "phone"], counts.Products.Select(p => p.Key));
    }
}
