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
    public static ValueTask<bool> WriteAsync(IProblemDetailsService problems, HttpContext context, int status, string title,
        string detail)
    {
        context.Response.StatusCode = status;
        return problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        });
    }
}
