namespace InteropTracker.Core;

/// <summary>
/// An event's issueUrlTemplate (DESIGN.md "Evidence, causes and attributes"): an http or https URL with {issue} where a
/// result's issue reference goes, so that the pages and the workbook link each reference to its bug tracker.
/// </summary>
public static class IssueLinks
{
    public const string Placeholder = "{issue}";
    public const int MaxLength = 500;

    /// <summary>Why a template cannot link issues; null when it can (or none is given).</summary>
    public static string? WhyNot(string? template)
    {
        if (string.IsNullOrWhiteSpace(template)) return null;
        if (template.Length > MaxLength) return $"The issue URL template is at most {MaxLength} characters.";
        if (!template.Contains(Placeholder, StringComparison.Ordinal))
            return $"'{template}' has no {Placeholder}: put it where the issue reference goes, as in https://bugs.example/{Placeholder}.";
        if (!Uri.TryCreate(template.Replace(Placeholder, "1", StringComparison.Ordinal), UriKind.Absolute, out var uri)
            || uri.Scheme is not ("http" or "https") || string.IsNullOrEmpty(uri.Host))
            return $"'{template}' is not an http or https URL; only those are linked.";
        return null;
    }

    /// <summary>The link of an issue reference; null when the event has no template or the result no reference.</summary>
    public static string? Link(string? template, string? issue) =>
        string.IsNullOrWhiteSpace(template) || string.IsNullOrWhiteSpace(issue)
            ? null
            : template.Replace(Placeholder, Uri.EscapeDataString(issue.Trim()), StringComparison.Ordinal);
}
