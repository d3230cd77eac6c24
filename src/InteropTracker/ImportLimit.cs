using System.Globalization;
using System.Threading.RateLimiting;
using InteropTracker.Access;
using Microsoft.AspNetCore.RateLimiting;

namespace InteropTracker;

/// <summary>
/// A few imports at a time per caller (token): each import reads a large body and holds a few chunks of rows, so one
/// caller sending many at once would hold that many. Beyond the limit an import answers 429 with Retry-After at once,
/// rather than waiting in a queue with its body unread. Reads through the same pages and routes are not limited.
/// </summary>
public sealed class ImportLimit : IRateLimiterPolicy<string>
{
    public const string Policy = "imports";

    /// <summary>Imports one caller may have under way at once.</summary>
    public const int PerCaller = 2;

    /// <summary>Seconds a refused caller is told to wait before sending the import again: a hint, not a promise.</summary>
    public const int RetryAfterSeconds = 5;

    public static void Add(RateLimiterOptions options) => options.AddPolicy<string, ImportLimit>(Policy);

    public RateLimitPartition<string> GetPartition(HttpContext context)
    {
        if (HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method))
            return RateLimitPartition.GetNoLimiter("reads");
        var caller = CallerClaims.From(context.User)?.TokenId.ToString(CultureInfo.InvariantCulture) ?? "anonymous";
        return RateLimitPartition.GetConcurrencyLimiter(caller,
            _ => new ConcurrencyLimiterOptions { PermitLimit = PerCaller, QueueLimit = 0 });
    }

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = async (rejected, _) =>
    {
        var context = rejected.HttpContext;
        context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        await Problems.AnswerAsync(context, StatusCodes.Status429TooManyRequests, "Too many imports at once",
            $"This token already has {PerCaller} imports under way, the most at once; nothing of this one was read. " +
            $"Send it again once one has finished (in about {RetryAfterSeconds} seconds).");
    };
}
