using InteropTracker.Core;
using Microsoft.AspNetCore.Http.HttpResults;

namespace InteropTracker.Matrix;

/// <summary>The <c>attr.&lt;name&gt;=&lt;value&gt;</c> filters of the matrix, summary and statistics queries.</summary>
public static class AttributeFilters
{
    /// <summary>The filters of a query, in name order; the last value given for a name counts.</summary>
    public static IReadOnlyList<KeyValuePair<string, string>> Read(IQueryCollection query) =>
        ResultAttributes.Filters(query.Select(q => KeyValuePair.Create(q.Key, q.Value.ToString().Split(',')[^1].Trim())));

    /// <summary>A filter on an attribute or value that no plan of the event declares names it, rather than answering zero.</summary>
    public static ValidationProblem? Problem(EventPlanning planning, IReadOnlyList<KeyValuePair<string, string>> filters)
    {
        if (filters.Count == 0) return null;
        var declared = planning.Cases.Select(c => c.Attributes).Distinct()
            .SelectMany(a => a)
            .GroupBy(a => a.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.SelectMany(a => a.Value).Distinct().ToList(), StringComparer.Ordinal);
        var errors = new Dictionary<string, string[]>();
        foreach (var (name, value) in filters)
        {
            if (!declared.TryGetValue(name, out var values))
                errors[$"{ResultAttributes.Prefix}{name}"] = [declared.Count == 0
                    ? $"No plan of event '{planning.Event.Key}' declares result attributes; '{name}' cannot filter."
                    : $"No plan of event '{planning.Event.Key}' declares the attribute '{name}'; use {string.Join(", ", declared.Keys.Order(StringComparer.Ordinal))}."];
            else if (!values.Contains(value))
                errors[$"{ResultAttributes.Prefix}{name}"] = [$"'{value}' is not a value of {name} in the event's plans; use {string.Join(", ", values)}."];
        }
        return errors.Count == 0 ? null : TypedResults.ValidationProblem(errors,
            detail: $"Filter by an attribute the event's plans declare: {string.Join("; ", errors.Values.SelectMany(e => e))}");
    }

    /// <summary>The filters as one string, for remembering a filtered answer apart from others.</summary>
    public static string Key(IReadOnlyList<KeyValuePair<string, string>> filters) =>
        string.Join('&', filters.Select(f => $"{f.Key}={f.Value}"));
}
