using InteropTracker.Core;
using InteropTracker.EventResults;

namespace InteropTracker.Pages.Events;

/// <summary>
/// The result attributes of a case's plan on a result form (a select per attribute, named attr.&lt;name&gt; as an import
/// column is), and reading them back from the posted form.
/// </summary>
/// <param name="Form">The id of the verdict form the selects belong to: on the test table they sit in the row's opened part, outside it.</param>
public sealed record AttributeFields(PlannedCase Case, ResultInfo? Result, string Id, string? Form = null)
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
