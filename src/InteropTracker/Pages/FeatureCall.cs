using InteropTracker.Core;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace InteropTracker.Pages;

/// <summary>
/// Pages write through the same feature functions as the API routes: the same shape checks (the request record's
/// attributes, as the API's validation runs them), the same rules, the same SQL and audit records, so a page can never
/// accept what the API refuses, or the other way round. The outcome comes back as a value or a refusal, never an IResult.
/// </summary>
public static class FeatureCall
{
    public static async Task<Outcome<T>> RunAsync<TBody, T>(TBody body, Func<TBody, Task<Outcome<T>>> feature) where TBody : notnull
    {
        if (Refusal.OfShape(body) is { } invalid) return invalid;
        try
        {
            return await feature(body);
        }
        catch (Exception e) when (ConflictHandler.IsUniqueViolation(e))
        {
            return Refusal.Conflict(ConflictHandler.DetailOf(e));
        }
    }

    /// <summary>
    /// For a feature that checks the request's shape itself together with its rules, so that a form shows every error
    /// at once rather than the shape's first and the rules' after the next post.
    /// </summary>
    public static async Task<Outcome<T>> RunAsync<T>(Func<Task<Outcome<T>>> feature)
    {
        try
        {
            return await feature();
        }
        catch (Exception e) when (ConflictHandler.IsUniqueViolation(e))
        {
            return Refusal.Conflict(ConflictHandler.Detail);
        }
    }

    /// <summary>The status a page answers a refusal with: the API's for the same refusal.</summary>
    public static int Status(this Refusal refusal) => Problems.StatusOf(refusal.Kind);

    /// <summary>Every message, the field or place first: what a page lists beside its form.</summary>
    public static IEnumerable<string> Messages(this Refusal refusal) =>
        refusal.Errors.Count == 0
            ? [refusal.Detail]
            : refusal.Errors.SelectMany(e => e.Value.Select(m => string.IsNullOrEmpty(e.Key) ? m : $"{e.Key}: {m}"));

    /// <summary>Puts the errors on the form's fields (prefix + the field's name), the rest in the summary.</summary>
    public static void CopyTo(this Refusal refusal, ModelStateDictionary modelState, string prefix)
    {
        if (refusal.Errors.Count == 0) modelState.AddModelError("", refusal.Detail);
        foreach (var (key, messages) in refusal.Errors)
            foreach (var message in messages)
            {
                var field = key.Length > 0 ? $"{prefix}.{char.ToUpperInvariant(key[0])}{key[1..]}" : "";
                modelState.AddModelError(field, message);
            }
    }
}
