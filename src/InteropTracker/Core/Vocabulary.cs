using System.Text.Json;
using System.Text.RegularExpressions;

namespace InteropTracker.Core;

/// <summary>The syntax of keys, capability tags and technology words that organizations, products and events use.</summary>
public static partial class Vocabulary
{
    /// <summary>Keys of organizations, products and events: lowercase slugs such as <c>acme-vx200</c>.</summary>
    public const string KeyPattern = "^[a-z0-9]+(-[a-z0-9]+)*$";

    public const string KeyMessage = "A key is a slug: lowercase letters and digits in words joined by single hyphens, like 'acme-video'.";

    /// <summary>Capability tags such as <c>h264</c>, <c>rtcp-fb.pli</c>: the same syntax test cases use.</summary>
    public const string TagPattern = "^[a-z0-9]+([.-][a-z0-9]+)*$";

    /// <summary>Technology words such as SIP, WebRTC, H.323, TLS 1.3.</summary>
    public const string TechnologyPattern = "^[A-Za-z0-9]+([.+/ -][A-Za-z0-9]+)*$";

    public const int MaxKeyLength = 64;
    public const int MaxTagLength = 64;

    [GeneratedRegex(KeyPattern)]
    public static partial Regex Key();

    [GeneratedRegex(TagPattern)]
    public static partial Regex Tag();

    [GeneratedRegex(TechnologyPattern)]
    public static partial Regex Technology();

    /// <summary>A tag or technology list as the database stores it: a JSON array of strings.</summary>
    public static string ToJson(IEnumerable<string> items) => JsonSerializer.Serialize(items);

    public static string[] FromJson(string? json) =>
        string.IsNullOrEmpty(json) ? [] : JsonSerializer.Deserialize<string[]>(json) ?? [];

    /// <summary>
    /// The key a name suggests: lowercase ASCII letters and digits in words joined by single hyphens, at most
    /// <see cref="MaxKeyLength"/> characters ("Acme Room Kit 7" → "acme-room-kit-7"); empty when the name has no letter
    /// or digit. Accents are dropped with their letter kept ("Café" → "cafe").
    /// </summary>
    public static string Slug(string? name)
    {
        var plain = new System.Text.StringBuilder();
        foreach (var c in (name ?? "").Normalize(System.Text.NormalizationForm.FormD))
        {
            if (System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.NonSpacingMark) continue;
            plain.Append(char.IsAsciiLetterOrDigit(c) ? char.ToLowerInvariant(c) : '-');
        }
        var words = plain.ToString().Split('-', StringSplitOptions.RemoveEmptyEntries);
        var slug = string.Join('-', words);
        if (slug.Length > MaxKeyLength) slug = slug[..MaxKeyLength].TrimEnd('-');
        return slug;
    }
}
