using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;

namespace InteropTracker;

/// <summary>
/// How large a request body may be, and the one answer to a body over it: 413 as a problem naming the limit, whether
/// the body declared its length or came chunked, on every route and page form. The server (Kestrel) enforces the
/// limit while the body is read; a route that takes files raises it for itself (<see cref="Limit"/>).
/// </summary>
public static class BodyLimits
{
    /// <summary>
    /// The limit of every route that does not raise it: a JSON request, a page's form. Below the form reader's own
    /// 4 MB limit on a field, so that a form too large is refused as a body too large, by the server, at this size.
    /// </summary>
    public const long DefaultMaxBytes = 1024 * 1024;

    /// <summary>A route's own limit, as endpoint metadata: the server applies it before the handler reads the body.</summary>
    public sealed record Limit(long? MaxRequestBodySize) : IRequestSizeLimitMetadata;

    public static WebApplicationBuilder AddBodyLimits(this WebApplicationBuilder builder)
    {
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = DefaultMaxBytes);
        builder.Services.AddExceptionHandler<BadBodyHandler>();
        // Minimal APIs answer a JSON body over the limit with a bare 413, which the status-code pages make a problem:
        // this gives it the same detail as the exception's.
        builder.Services.Configure<ProblemDetailsOptions>(options =>
        {
            var before = options.CustomizeProblemDetails;
            options.CustomizeProblemDetails = problem =>
            {
                before?.Invoke(problem);
                if (problem.ProblemDetails.Status == StatusCodes.Status413PayloadTooLarge && problem.ProblemDetails.Detail is null)
                    problem.ProblemDetails.Detail = Detail(problem.HttpContext);
            };
        });
        builder.Services.Configure<MvcOptions>(options => options.Filters.Add(new FormFirst()));
        return builder;
    }

    /// <summary>What a person is told when the body was over the route's limit.</summary>
    public static string Detail(HttpContext context)
    {
        var limit = context.Features.Get<IHttpMaxRequestBodySizeFeature>()?.MaxRequestBodySize;
        var most = limit is { } bytes
            ? string.Create(CultureInfo.InvariantCulture, $"at most {bytes} bytes ({bytes / (1024.0 * 1024.0):0.##} MB)")
            : "no more than the server's limit";
        return $"The request body is larger than this route accepts: {most}. Nothing was stored; send a smaller body " +
               "(split a file into several).";
    }

    /// <summary>
    /// A body the server could not read (over the limit, a broken chunk, the client gone) is the request's fault: its
    /// own status (413, 400, 408) as a problem, never a 500.
    /// </summary>
    public sealed class BadBodyHandler(IProblemDetailsService problems) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken ct)
        {
            if (exception is not BadHttpRequestException bad) return false;
            return await Problems.WriteAsync(problems, context, bad.StatusCode, null,
                bad.StatusCode == StatusCodes.Status413PayloadTooLarge ? Detail(context) : bad.Message);
        }
    }

    /// <summary>
    /// Reads a page's form before the antiforgery check does: that check takes any failure to read the form for a bad
    /// token (400), which would hide a body over the limit. Read here, it reaches <see cref="BadBodyHandler"/> as what it is.
    /// </summary>
    private sealed class FormFirst : IAsyncAuthorizationFilter, IOrderedFilter
    {
        // Before the antiforgery filter (1000), after the size limit a page sets for itself (RequestSizeLimit, -2000).
        public int Order => 0;

        public async Task OnAuthorizationAsync(AuthorizationFilterContext context)
        {
            var request = context.HttpContext.Request;
            if (!request.HasFormContentType) return;
            try
            {
                await request.ReadFormAsync(context.HttpContext.RequestAborted);
            }
            catch (InvalidDataException)
            {
                context.Result = new BadRequestResult(); // a form the reader refuses (too many fields, a broken part)
            }
        }
    }
}
