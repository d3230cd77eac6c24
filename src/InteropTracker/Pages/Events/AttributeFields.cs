using InteropTracker.Core;
using InteropTracker.EventResults;

namespace InteropTracker.Pages.Events;

/// <summary>
/// The result attributes of a case's plan on a result form (a select per attribute, named attr.&lt;name&gt; as an import
/// column is), and reading them back from the posted form.
/// </summary>
public sealed record AttributeFields(PlannedCase Case, ResultInfo? Result, string Id)
{
    /// <summary>The attributes chosen on a posted form; null when none was.</summary>
    public static Dictionary<string, string>? Read(IFormCollection form)
    {
        Dictionary<string, string>? chosen = null;
        foreach (var (key, value) in form)
            if (key.StartsWith(ResultAttributes.Prefix, StringComparison.Ordinal) && !string.IsNullOrWhiteSpace(value))
                (chosen ??= new(StringComparer.Ordinal))[key[ResultAttributes.Prefix.Length..]] = value.ToString();
        return chosen;
    }
}
