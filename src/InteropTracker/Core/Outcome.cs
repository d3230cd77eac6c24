using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace InteropTracker.Core;

/// <summary>Why a feature did not do what was asked; the API answers it as a problem, a page beside its form.</summary>
public enum RefusalKind
{
    /// <summary>No such thing that the caller can see.</summary>
    NotFound,
    /// <summary>The caller may not do this.</summary>
    Forbidden,
    /// <summary>The thing's state does not allow it now (a closed event, a key already taken, a stale revision).</summary>
    Conflict,
    /// <summary>The request itself is malformed; errors keyed by field or location.</summary>
    Invalid,
    /// <summary>The request is well formed but breaks a rule; errors keyed by field or location.</summary>
    Unprocessable,
    /// <summary>Over a size limit.</summary>
    TooLarge,
}

/// <summary>A refusal with a <see cref="Detail"/> a person can act on, and the errors keyed by field where there are any.</summary>
public sealed record Refusal(RefusalKind Kind, string Detail, IReadOnlyDictionary<string, string[]> Errors)
{
    private static readonly IReadOnlyDictionary<string, string[]> None = new Dictionary<string, string[]>();

    /// <summary>What the answer carries beside the detail for a program to act on (such as the results a change would retire).</summary>
    public IReadOnlyDictionary<string, object?> Extensions { get; init; } = NoExtensions;

    // One shared empty set, so that two refusals that carry none are equal.
    private static readonly IReadOnlyDictionary<string, object?> NoExtensions = new Dictionary<string, object?>();

    public static Refusal NotFound(string detail) => new(RefusalKind.NotFound, detail, None);
    public static Refusal Forbidden(string detail) => new(RefusalKind.Forbidden, detail, None);
    public static Refusal Conflict(string detail) => new(RefusalKind.Conflict, detail, None);
    public static Refusal TooLarge(string detail) => new(RefusalKind.TooLarge, detail, None);

    public static Refusal Invalid(string field, string message) =>
        new(RefusalKind.Invalid, message, new Dictionary<string, string[]> { [field] = [message] });

    public static Refusal Invalid(IReadOnlyDictionary<string, string[]> errors, string detail) => new(RefusalKind.Invalid, detail, errors);

    public static Refusal Unprocessable(IReadOnlyDictionary<string, string[]> errors, string detail) =>
        new(RefusalKind.Unprocessable, detail, errors);

    /// <summary>
    /// The request record's own attributes (required, lengths, patterns), checked as the API's validation checks them
    /// before a handler runs, keyed by the JSON field name: for callers that do not come through that validation (pages).
    /// </summary>
    public static Refusal? OfShape(object request)
    {
        var invalid = new List<ValidationResult>();
        if (Validator.TryValidateObject(request, new ValidationContext(request), invalid, validateAllProperties: true)) return null;
        var errors = invalid
            .SelectMany(r => (r.MemberNames.Any() ? r.MemberNames : [""])
                .Select(m => (Key: JsonNamingPolicy.CamelCase.ConvertName(m), Message: r.ErrorMessage ?? "is not valid")))
            .GroupBy(e => e.Key)
            .ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());
        return Invalid(errors, "Some fields are not filled in as they should be.");
    }
}

/// <summary>What a feature function answers: done with a value, or a <see cref="Core.Refusal"/>.</summary>
public readonly record struct Outcome<T>
{
    private Outcome(T? value, Refusal? refusal)
    {
        Value = value;
        Refusal = refusal;
    }

    /// <summary>The value when done; default when refused.</summary>
    public T? Value { get; }

    /// <summary>Why not; null when done.</summary>
    public Refusal? Refusal { get; }

    public bool IsDone => Refusal is null;

    public static Outcome<T> Done(T value) => new(value, null);

    public static implicit operator Outcome<T>(T value) => new(value, null);

    public static implicit operator Outcome<T>(Refusal refusal) => new(default, refusal);
}
