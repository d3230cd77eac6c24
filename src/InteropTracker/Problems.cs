using InteropTracker.Core;
using Microsoft.AspNetCore.Http.HttpResults;

namespace InteropTracker;

/// <summary>Problem answers (RFC 9457, application/problem+json) that say what is wrong in words a person can act on.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string detail) =>
        TypedResults.Problem(title: "Not found", detail: detail, statusCode: StatusCodes.Status404NotFound);

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(title: "Conflict", detail: detail, statusCode: StatusCodes.Status409Conflict);

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(title: "Forbidden", detail: detail, statusCode: StatusCodes.Status403Forbidden);

    public static ProblemHttpResult TooLarge(string detail) =>
        TypedResults.Problem(title: "Too large", detail: detail, statusCode: StatusCodes.Status413PayloadTooLarge);

    /// <summary>400: the request itself is malformed; errors keyed by field or location.</summary>
    public static ValidationProblem Invalid(string key, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [key] = [message] });

    /// <summary>422: the request is well formed but breaks a rule; errors keyed by field or location.</summary>
    public static ProblemHttpResult Unprocessable(IDictionary<string, string[]> errors, string detail) =>
        TypedResults.Problem(new Microsoft.AspNetCore.Http.HttpValidationProblemDetails(errors)
        {
            Status = StatusCodes.Status422UnprocessableEntity,
            Title = "The request breaks a rule",
            Detail = detail,
        });

    /// <summary>Writes a problem as the answer of an exception handler (the exception became this status).</summary>
    /// <param name="title">Null: the status's standard title.</param>
    public static ValueTask<bool> WriteAsync(IProblemDetailsService problems, HttpContext context, int status, string? title,
        string detail)
    {
        context.Response.StatusCode = status;
        return problems.TryWriteAsync(Problem(context, status, title, detail));
    }

    /// <summary>Answers a request with a problem from outside an endpoint (middleware, authentication, rate limits).</summary>
    public static ValueTask AnswerAsync(HttpContext context, int status, string title, string detail)
    {
        context.Response.StatusCode = status;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(Problem(context, status, title, detail));
    }

    private static ProblemDetailsContext Problem(HttpContext context, int status, string? title, string detail) => new()
    {
        HttpContext = context,
        ProblemDetails = { Status = status, Title = title, Detail = detail },
    };
    /// <summary>The problem answering a feature's refusal: the one place a refusal becomes a status code.</summary>
    public static ProblemHttpResult Of(Refusal refusal) => refusal.Kind switch
    {
        RefusalKind.NotFound => NotFound(refusal.Detail),
        RefusalKind.Forbidden => Forbidden(refusal.Detail),
        RefusalKind.Conflict => refusal.Extensions.Count == 0
            ? Conflict(refusal.Detail)
            : TypedResults.Problem(title: "Conflict", detail: refusal.Detail, statusCode: StatusCodes.Status409Conflict,
                extensions: refusal.Extensions.ToDictionary()),
        RefusalKind.TooLarge => TooLarge(refusal.Detail),
        RefusalKind.Invalid => TypedResults.Problem(new HttpValidationProblemDetails(refusal.Errors.ToDictionary())
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "One or more validation errors occurred.",
            Detail = refusal.Detail,
        }),
        RefusalKind.Unprocessable => Unprocessable(refusal.Errors.ToDictionary(), refusal.Detail),
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal.Kind, null),
    };

    public static int StatusOf(RefusalKind kind) => kind switch
    {
        RefusalKind.NotFound => StatusCodes.Status404NotFound,
        RefusalKind.Forbidden => StatusCodes.Status403Forbidden,
        RefusalKind.Conflict => StatusCodes.Status409Conflict,
        RefusalKind.Invalid => StatusCodes.Status400BadRequest,
        RefusalKind.Unprocessable => StatusCodes.Status422UnprocessableEntity,
        RefusalKind.TooLarge => StatusCodes.Status413PayloadTooLarge,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    /// <summary>200 with the value, or the refusal's problem.</summary>
    public static Results<Ok<T>, ProblemHttpResult> Ok<T>(Outcome<T> outcome) =>
        outcome.Refusal is { } refusal ? Of(refusal) : TypedResults.Ok(outcome.Value);

    /// <summary>201 at the location made from the value, or the refusal's problem.</summary>
    public static Results<Created<T>, ProblemHttpResult> Created<T>(Outcome<T> outcome, Func<T, string> location) =>
        outcome.Refusal is { } refusal ? Of(refusal) : TypedResults.Created(location(outcome.Value!), outcome.Value);
}
