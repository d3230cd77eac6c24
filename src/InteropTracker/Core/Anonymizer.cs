using System.Security.Cryptography;
using System.Text;

namespace InteropTracker.Core;

/// <summary>
/// The anonymisation rule of DESIGN.md for matrices. Within one technology, names organizations "Vendor A", "Vendor B",
/// … in an order drawn from the event's secret (not alphabetical, not the order of registration), and their products
/// "Vendor C · 1", "Vendor C · 2", … the same way. The draw is made afresh for each technology: a label of one
/// technology's matrix is not the same product as that label in another's, because the set of matrices a product
/// appears in is its set of technologies, which the catalogue shows and which can single it out.
/// </summary>
public sealed class Anonymizer
{
    private readonly Dictionary<long, string> _organizations = new();
    private readonly Dictionary<long, string> _products = new();
    private readonly Dictionary<long, (int Organization, int Product)> _positions = new();

    /// <param name="products">The products of the technology's matrix (those declaring it).</param>
    public Anonymizer(string secret, string technology,
        IEnumerable<(long Id, string Key, long OrganizationId, string OrganizationKey)> products)
    {
        var key = Encoding.UTF8.GetBytes(secret);
        // Technologies compare ignoring case (as a scope does), so "sip" and "SIP" draw the same labels.
        var draw = technology.ToUpperInvariant();
        var list = products.ToList();
        var organizations = list
            .GroupBy(p => (p.OrganizationId, p.OrganizationKey))
            .OrderBy(g => Draw(key, draw, "organization", g.Key.OrganizationKey), StringComparer.Ordinal)
            .ToList();
        for (var o = 0; o < organizations.Count; o++)
        {
            var label = "Vendor " + Letters(o);
            _organizations[organizations[o].Key.OrganizationId] = label;
            var members = organizations[o].OrderBy(p => Draw(key, draw, "product", p.Key), StringComparer.Ordinal).ToList();
            for (var p = 0; p < members.Count; p++)
            {
                _products[members[p].Id] = $"{label} · {p + 1}";
                _positions[members[p].Id] = (o, p);
            }
        }
    }

    public string Organization(long organizationId) => _organizations[organizationId];

    public string Product(long productId) => _products[productId];

    /// <summary>Where the product stands in label order: Vendor A · 1, Vendor A · 2, …, Vendor B · 1, … Vendor AA · 1.</summary>
    public (int Organization, int Product) Position(long productId) => _positions[productId];

    /// <summary>
    /// A product's tally as an anonymised matrix shows it: what was logged, never what was planned. The planned cells
    /// of a product (and so its untested count and progress) follow from its capabilities, which every engineer can
    /// read in the catalogue and compute the planning from; shown per row or cell they single products out. A tally
    /// made with this has its logged verdicts as its planned count: nothing untested, a cell with nothing logged is
    /// empty whether it was planned or not.
    /// </summary>
    public static Tally Withheld(Tally tally) => tally with { Planned = tally.Logged };

    /// <summary>A fresh per-event secret.</summary>
    public static string NewSecret() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    private static string Draw(byte[] key, string technology, string kind, string name) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{technology}:{kind}:{name}")));

    /// <summary>0 → A, 25 → Z, 26 → AA, … like spreadsheet columns.</summary>
    public static string Letters(int index)
    {
        var letters = new StringBuilder();
        for (var n = index + 1; n > 0; n = (n - 1) / 26)
            letters.Insert(0, (char)('A' + (n - 1) % 26));
        return letters.ToString();
    }
}
