using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc.ModelBinding;

namespace InteropTracker.Pages;

/// <summary>What an API handler answered, read back for a page: success and its value, or the errors keyed as the API keys them.</summary>
public sealed record ApiOutcome(int Status, object? Value, string? Detail, IReadOnlyDictionary<string, string[]> Errors)
{
    public bool Succeeded => Status is >= 200 and < 300;

    /// <summary>Every message, the field or place first: what a page lists beside its form.</summary>
    public IEnumerable<string> Messages =>
        Errors.SelectMany(e => e.Value.Select(m => string.IsNullOrEmpty(e.Key) ? m : $"{e.Key}: {m}"));

    /// <summary>Puts the errors on the form's fields (prefix + the API's camelCase key), the rest in the summary.</summary>
    public void CopyTo(ModelStateDictionary modelState, string prefix, IReadOnlyDictionary<string, string>? fields = null)
    {
        if (Errors.Count == 0) modelState.AddModelError("", Detail ?? "The request was refused.");
        foreach (var (key, messages) in Errors)
            foreach (var message in messages)
            {
                var field = fields is not null && fields.TryGetValue(key, out var mapped) ? mapped
                    : fields is null && key.Length > 0 ? $"{prefix}.{char.ToUpperInvariant(key[0])}{key[1..]}"
                    : "";
                modelState.AddModelError(field, field.Length == 0 && key.Length > 0 ? $"{key}: {message}" : message);
            }
    }
}

/// <summary>
/// Pages write through the API's own handlers, in-process: the same shape checks (the request record's attributes, as
/// the API's validation runs them), the same rules, the same SQL and audit records, so a page can never accept what
/// the API refuses, or the other way round.
/// </summary>
public static class ApiCall
{
    public static async Task<ApiOutcome> RunAsync<TBody>(TBody body, Func<TBody, Task<IResult>> handler) where TBody : notnull
    {
        var invalid = new List<ValidationResult>();
        if (!Validator.TryValidateObject(body, new ValidationContext(body), invalid, validateAllProperties: true))
        {
            var errors = invalid
                .SelectMany(r => (r.MemberNames.Any() ? r.MemberNames : [""]).Select(m => (Key: JsonNamingPolicy.CamelCase.ConvertName(m), Message: r.ErrorMessage ?? "is not valid")))
                .GroupBy(e => e.Key)
                .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
            return new ApiOutcome(StatusCodes.Status400BadRequest, null, "Some fields are not filled in as they should be.", errors);
        }
        try
        {
            return Read(await handler(body));
        }
        catch (Exception e) when (ConflictHandler.IsUniqueViolation(e))
        {
            return new ApiOutcome(StatusCodes.Status409Conflict, null, ConflictHandler.Detail, new Dictionary<string, string[]>());
        }
    }

    public static ApiOutcome Read(IResult result)
    {
        while (result is INestedHttpResult nested) result = nested.Result;
        var status = (result as IStatusCodeHttpResult)?.StatusCode ?? StatusCodes.Status200OK;
        return result switch
        {
            ValidationProblem v => new ApiOutcome(status, null, v.ProblemDetails.Detail, v.ProblemDetails.Errors.AsReadOnly()),
            ProblemHttpResult { ProblemDetails: HttpValidationProblemDetails p } => new ApiOutcome(status, null, p.Detail, p.Errors.AsReadOnly()),
            ProblemHttpResult p => new ApiOutcome(status, null, p.ProblemDetails.Detail ?? p.ProblemDetails.Title, new Dictionary<string, string[]>()),
            IValueHttpResult v => new ApiOutcome(status, v.Value, null, new Dictionary<string, string[]>()),
            _ => new ApiOutcome(status, null, null, new Dictionary<string, string[]>()),
        };
    }
}
