using System.Text;
using System.Text.Json;

namespace InteropTracker.Core;

/// <summary>
/// Result attributes (DESIGN.md "Evidence, causes and attributes"): a plan declares names and their allowed values
/// (<c>transport: [udp, tcp, tls]</c>), a result names at most one value of each. Both are stored as compact JSON,
/// keys in ordinal order, so the same attributes are the same text and a result without any stores NULL.
/// </summary>
public static class ResultAttributes
{
    /// <summary>The prefix of an attribute in a query string, a CSV column or the Plan sheet: <c>attr.transport</c>.</summary>
    public const string Prefix = "attr.";

    public const int MaxNames = 16;
    public const int MaxValues = 32;

    /// <summary>No attributes declared: every result's attributes are refused, none is asked for.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> None =
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);

    /// <summary>A plan's declared attributes as stored in test_plans.attributes; null when it declares none.</summary>
    public static string? DeclaredToJson(IReadOnlyDictionary<string, IReadOnlyList<string>>? declared) =>
        declared is null || declared.Count == 0
            ? null
            : JsonSerializer.Serialize(declared.OrderBy(a => a.Key, StringComparer.Ordinal).ToDictionary(a => a.Key, a => a.Value));

    public static IReadOnlyDictionary<string, IReadOnlyList<string>> DeclaredFromJson(string? json) =>
        string.IsNullOrEmpty(json)
            ? None
            : JsonSerializer.Deserialize<Dictionary<string, string[]>>(json)!
                .ToDictionary(a => a.Key, a => (IReadOnlyList<string>)a.Value, StringComparer.Ordinal);

    /// <summary>A result's attributes as stored on its revision: compact JSON in key order, null when it has none.</summary>
    public static string? ToJson(IReadOnlyDictionary<string, string>? attributes)
    {
        if (attributes is null || attributes.Count == 0) return null;
        var text = new StringBuilder("{");
        foreach (var (name, value) in attributes.OrderBy(a => a.Key, StringComparer.Ordinal))
        {
            if (text.Length > 1) text.Append(',');
            // Names and values are tags (letters, digits, '.' and '-'): nothing in them needs escaping.
            text.Append('"').Append(name).Append("\":\"").Append(value).Append('"');
        }
        return text.Append('}').ToString();
    }

    public static IReadOnlyDictionary<string, string>? FromJson(string? json) =>
        string.IsNullOrEmpty(json) ? null : JsonSerializer.Deserialize<Dictionary<string, string>>(json);

    /// <summary>
    /// Checks a result's attributes against its plan's declaration; errors are keyed <c>attributes.&lt;name&gt;</c>.
    /// </summary>
    /// <returns>The attributes as stored (see <see cref="ToJson"/>), or null when none was given.</returns>
    public static string? Check(string plan, IReadOnlyDictionary<string, IReadOnlyList<string>> declared,
        IReadOnlyDictionary<string, string>? given, ref Dictionary<string, string>? errors)
    {
        if (given is null || given.Count == 0) return null;
        Dictionary<string, string>? kept = null;
        foreach (var (rawName, rawValue) in given)
        {
            var name = rawName.Trim();
            var value = rawValue?.Trim() ?? "";
            if (value.Length == 0) continue; // an empty import cell says nothing
            if (!declared.TryGetValue(name, out var allowed))
            {
                (errors ??= new())[$"attributes.{name}"] = declared.Count == 0
                    ? $"Plan '{plan}' declares no result attributes; '{name}' cannot be given."
                    : $"'{name}' is not an attribute of plan '{plan}'; use {string.Join(", ", declared.Keys.Order(StringComparer.Ordinal))}.";
                continue;
            }
            if (!allowed.Contains(value, StringComparer.Ordinal))
            {
                (errors ??= new())[$"attributes.{name}"] = $"'{value}' is not a value of {name} in plan '{plan}'; use {string.Join(", ", allowed)}.";
                continue;
            }
            (kept ??= new(StringComparer.Ordinal))[name] = value;
        }
        return ToJson(kept);
    }

    /// <summary>The <c>attr.&lt;name&gt;=&lt;value&gt;</c> pairs of a query, in name order; empty when there is none.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Filters(IEnumerable<KeyValuePair<string, string>> query) =>
        query.Where(q => q.Key.StartsWith(Prefix, StringComparison.Ordinal) && q.Key.Length > Prefix.Length)
            .Select(q => KeyValuePair.Create(q.Key[Prefix.Length..], q.Value))
            .OrderBy(q => q.Key, StringComparer.Ordinal).ToList();

    /// <summary>True when the stored attributes have every filtered value.</summary>
    public static bool Matches(IReadOnlyDictionary<string, string>? attributes, IReadOnlyList<KeyValuePair<string, string>> filters)
    {
        foreach (var (name, value) in filters)
            if (attributes is null || !attributes.TryGetValue(name, out var has) || has != value) return false;
        return true;
    }
}
