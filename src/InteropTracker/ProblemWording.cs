using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Metadata;

namespace InteropTracker;

/// <summary>
/// The last word on every problem the app writes (RFC 9457): one with no detail gets one a person can act on (the
/// framework's own 400, 404, 405 and 415 carry none), and the field names of validation errors are written as the body
/// names them (camelCase: "responder", not "Responder"), in the keys and in the messages.
/// </summary>
public static partial class ProblemWording
{
    public static void Configure(ProblemDetailsOptions options)
    {
        var before = options.CustomizeProblemDetails;
        options.CustomizeProblemDetails = context =>
        {
            before?.Invoke(context);
            Customize(context);
        };
    }

    private static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem is HttpValidationProblemDetails validation && validation.Errors.Count > 0)
        {
            var renamed = validation.Errors.ToDictionary(e => MemberPath().IsMatch(e.Key) ? CamelCase(e.Key) : e.Key,
                e => e.Value.Select(Message).ToArray());
            validation.Errors.Clear();
            foreach (var (key, messages) in renamed) validation.Errors[key] = messages;
            problem.Detail ??= $"Fix {(renamed.Count == 1 ? "the field" : "the fields")} listed in errors: {string.Join(", ", renamed.Keys)}.";
        }
        if (!string.IsNullOrEmpty(problem.Detail) && !problem.Detail.StartsWith("Failed to read parameter", StringComparison.Ordinal)) return;
        var request = context.HttpContext.Request;
        problem.Detail = problem.Status switch
        {
            StatusCodes.Status400BadRequest => context.Exception is BadHttpRequestException { InnerException: JsonException json }
                ? $"The body is not valid JSON for this route: {json.Message} Compare it with the example in the API reference (/scalar)."
                : "The request could not be read: the body is not valid JSON, or a value has the wrong type. Compare it with the example in the API reference (/scalar).",
            StatusCodes.Status404NotFound => $"Nothing is at {request.Path}; the routes are listed in the API reference (/scalar).",
            StatusCodes.Status405MethodNotAllowed => $"{request.Method} is not answered at {request.Path}; the API reference (/scalar) lists the methods of each route.",
            StatusCodes.Status415UnsupportedMediaType => UnsupportedMediaType(context.HttpContext),
            // Others (413 among them) are worded where they arise: BodyLimits, the exception handlers, the features.
            _ => problem.Detail,
        };
    }

    private static string UnsupportedMediaType(HttpContext context)
    {
        var accepted = context.GetEndpoint()?.Metadata.GetOrderedMetadata<IAcceptsMetadata>().SelectMany(a => a.ContentTypes).Distinct().ToList() ?? [];
        var sent = string.IsNullOrEmpty(context.Request.ContentType) ? "no Content-Type" : $"Content-Type {context.Request.ContentType}";
        return accepted.Count == 0
            ? $"This route does not read a body of {sent}; send application/json."
            : $"This route reads {string.Join(", ", accepted)}; the request was sent with {sent}. Set the Content-Type header to match the body.";
    }

    /// <summary>"Cases[3].Priority" → "cases[3].priority": each segment as the JSON body names it.</summary>
    public static string CamelCase(string key) => Segment().Replace(key, m => char.ToLowerInvariant(m.Value[0]) + m.Value[1..]);

    // "The Initiator field is required." → "The initiator field is required."
    private static string Message(string message) => FieldName().Replace(message, m => m.Groups[1].Value + CamelCase(m.Groups[2].Value) + " field");

    // A C# member path as validation reports it ("Cases[3].Priority"); not a place in a document ("Cases!F12", "Content-Type").
    [GeneratedRegex(@"^[A-Z][A-Za-z0-9]*(\[\d+\])?(\.[A-Z][A-Za-z0-9]*(\[\d+\])?)*$")]
    private static partial Regex MemberPath();

    [GeneratedRegex(@"(?<=^|\.)[A-Z][A-Za-z0-9]*")]
    private static partial Regex Segment();

    [GeneratedRegex(@"(The )([A-Z][A-Za-z0-9.\[\]]*) field")]
    private static partial Regex FieldName();
}
