using System.Globalization;
using System.Threading.RateLimiting;

namespace InteropTracker.Access;

/// <summary>
/// Failed authentications counted per client address, with .NET's built-in rate limiter (System.Threading.RateLimiting):
/// a fixed window per address whose permits are failures. An address out of permits gets 429 with Retry-After for any
/// token it presents, good or bad, until the window turns, so guessing cannot go on and an answer says nothing about a
/// guess; other addresses are not touched. The rate-limiting middleware would take a permit for every request before
/// it runs, while only a failure, known once the token has been looked up, is to count.
/// </summary>
public sealed class FailedAuthenticationThrottle : IDisposable
{
    public const string Section = "Interop:FailedAuthentication";

    private readonly PartitionedRateLimiter<string> _failures;
    private readonly TimeSpan _window;

    public FailedAuthenticationThrottle(IConfiguration configuration)
    {
        var limit = configuration.GetValue($"{Section}:Limit", 10);
        _window = TimeSpan.FromSeconds(configuration.GetValue($"{Section}:WindowSeconds", 60));
        // Without auto-replenishment the partitioned limiter's own timer turns every window and drops idle addresses.
        _failures = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address,
            _ => new FixedWindowRateLimiterOptions { PermitLimit = limit, Window = _window, QueueLimit = 0, AutoReplenishment = false }));
    }

    /// <summary>Whether the caller's address has used up its failures; <paramref name="retryAfter"/> says for how long at most.</summary>
    public bool IsBlocked(HttpContext context, out TimeSpan retryAfter)
    {
        using var lease = _failures.AttemptAcquire(Address(context), permitCount: 0);
        retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var after) ? after : _window;
        return !lease.IsAcquired;
    }

    public void RecordFailure(HttpContext context)
    {
        using var _ = _failures.AttemptAcquire(Address(context));
    }

    // The address after the forwarded headers of a trusted proxy are applied (see TrustedProxies).
    private static string Address(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    public static string Detail(TimeSpan retryAfter) =>
        $"Too many failed sign-ins from your address: try again in {Seconds(retryAfter)} seconds, with a token that is whole, " +
        "not revoked and not expired.";

    public static string Seconds(TimeSpan retryAfter) =>
        Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);

    public void Dispose() => _failures.Dispose();
}

public static class FailedAuthenticationThrottleExtensions
{
    /// <summary>Answers 429 to a request that presents a token from an address that has used up its failures.</summary>
    public static WebApplication UseFailedAuthenticationThrottle(this WebApplication app)
    {
        var throttle = app.Services.GetRequiredService<FailedAuthenticationThrottle>();
        app.Use(async (context, next) =>
        {
            if (context.Request.Headers.Authorization.Count > 0 && throttle.IsBlocked(context, out var retryAfter))
            {
                context.Response.Headers.RetryAfter = FailedAuthenticationThrottle.Seconds(retryAfter);
                await Problems.AnswerAsync(context, StatusCodes.Status429TooManyRequests, "Too many failed sign-ins",
                    FailedAuthenticationThrottle.Detail(retryAfter));
                return;
            }
            await next(context);
        });
        return app;
    }
}
