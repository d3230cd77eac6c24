using System.Diagnostics;
using System.Net;

namespace InteropTracker.Bench;

/// <summary>What a closed-loop load run measured: completed requests per second, latency percentiles, errors.</summary>
public sealed record LoadResult(long Completed, long Errors, double Seconds, double P50Ms, double P99Ms, string? FirstError)
{
    public double PerSecond => Completed / Seconds;
}

/// <summary>
/// Closed-loop load: N workers on one keep-alive HttpClient (N connections), each sending its next request as soon as
/// the previous answer is read, for a fixed time.
/// </summary>
public static class Load
{
    public static HttpClient Client(Uri address, int connections) => new(new SocketsHttpHandler
    {
        MaxConnectionsPerServer = connections,
        PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
        UseCookies = false,
        AutomaticDecompression = DecompressionMethods.None,
    })
    {
        BaseAddress = address,
        Timeout = TimeSpan.FromSeconds(60),
    };

    /// <param name="request">Makes worker w's i-th request.</param>
    public static async Task<LoadResult> RunAsync(HttpClient client, int workers, TimeSpan duration,
        Func<int, long, HttpRequestMessage> request, HttpStatusCode expected)
    {
        var latencies = new List<long>[workers];
        var errors = new long[workers];
        string? firstError = null;
        var clock = Stopwatch.StartNew();
        var stopAt = duration.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond;

        async Task Worker(int w)
        {
            var mine = latencies[w] = new List<long>(1 << 16);
            for (long i = 0; clock.ElapsedTicks < stopAt; i++)
            {
                var started = clock.ElapsedTicks;
                try
                {
                    using var message = request(w, i);
                    using var response = await client.SendAsync(message, HttpCompletionOption.ResponseContentRead);
                    if (response.StatusCode == expected)
                    {
                        mine.Add(clock.ElapsedTicks - started);
                        continue;
                    }
                    errors[w]++;
                    Interlocked.CompareExchange(ref firstError,
                        $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}", null);
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    errors[w]++;
                    Interlocked.CompareExchange(ref firstError, e.Message, null);
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => Worker(w))));
        var seconds = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        double Percentile(double p) =>
            all.Length == 0 ? double.NaN : all[Math.Min(all.Length - 1, (int)(p * all.Length))] * 1000.0 / Stopwatch.Frequency;
        return new LoadResult(all.Length, errors.Sum(), seconds, Percentile(0.50), Percentile(0.99), firstError);
    }
}
