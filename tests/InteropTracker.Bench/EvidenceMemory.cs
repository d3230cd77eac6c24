using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace InteropTracker.Bench;

/// <summary>
/// evidence_memory: a 50 MB trace attached to a result and downloaded again, on a server of its own, with the growth of
/// its resident set size over each (the file must stream through, never be held whole).
/// </summary>
public static class EvidenceMemory
{
    private const long FileBytes = 50L * 1024 * 1024;

    public static async Task<Figure> MeasureAsync(string work, string adminToken, Action<string> say)
    {
        await using var app = await AppProcess.StartAsync(AppProcess.LocateApp(), Path.Combine(work, "evidence-memory"), adminToken);
        using var client = Load.Client(app.Address, 2);
        client.Timeout = TimeSpan.FromMinutes(5);
        var api = new Api(client, adminToken);
        var results = await SetUpAsync(api);
        var resultId = (await api.PostJsonAsync(results, new
        {
            plan = "bench-evidence", @case = "EV-1", initiator = "ev-a1", responder = "ev-b1", verdict = "fail", cause = "implementation",
        })).GetProperty("id").GetInt64();
        var evidence = $"{results}/{resultId}/evidence";
        // Settle, then measure each transfer's growth from the peak reset just before it (clear_refs 5 resets VmHWM).
        GC.Collect();
        await Task.Delay(TimeSpan.FromSeconds(2));

        var before = ResetPeak(app);
        var clock = Stopwatch.StartNew();
        var form = new MultipartFormDataContent();
        var file = new StreamContent(new TraceStream(FileBytes), 64 * 1024);
        file.Headers.ContentType = new MediaTypeHeaderValue("application/vnd.tcpdump.pcap");
        form.Add(file, "file", "call.pcap");
        using (var response = await client.SendAsync(api.Request(HttpMethod.Post, evidence, form)))
            if (response.StatusCode != HttpStatusCode.Created)
                throw new InvalidOperationException($"POST {evidence} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        var uploadSeconds = clock.Elapsed.TotalSeconds;
        var uploadGrowth = app.PeakRssMb() - before;
        say($"evidence: 50 MB attached in {uploadSeconds:0.00} s; server RSS grew {uploadGrowth:0.0} MB over its {before:0} MB");

        await Task.Delay(TimeSpan.FromSeconds(1));
        var beforeDownload = ResetPeak(app);
        clock.Restart();
        long received = 0;
        using (var response = await client.SendAsync(api.Request(HttpMethod.Get, $"{evidence}/1"), HttpCompletionOption.ResponseHeadersRead))
        {
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync();
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await body.ReadAsync(buffer)) > 0) received += read;
        }
        if (received != FileBytes) throw new InvalidOperationException($"The download gave {received} bytes, not {FileBytes}.");
        var downloadSeconds = clock.Elapsed.TotalSeconds;
        var downloadGrowth = app.PeakRssMb() - beforeDownload;
        say($"evidence: 50 MB downloaded in {downloadSeconds:0.00} s; server RSS grew {downloadGrowth:0.0} MB over its {beforeDownload:0} MB");

        return new Figure("evidence_memory", "MB", Math.Max(uploadGrowth, downloadGrowth), before, "MB", Rule.ValueBelow, 20,
            "a server of its own with one result, its RSS before the transfer (VmRSS, peak reset); the value is the larger growth " +
            "of its peak (VmHWM) over a 50 MB pcap attached (multipart POST …/evidence), then over the same file downloaded",
            new Dictionary<string, double>
            {
                ["upload_growth_mb"] = uploadGrowth, ["download_growth_mb"] = downloadGrowth, ["upload_s"] = uploadSeconds,
                ["download_s"] = downloadSeconds,
            });
    }

    /// <summary>Resets the server's peak resident set size to its current one, and answers it.</summary>
    private static double ResetPeak(AppProcess app)
    {
        File.WriteAllText($"/proc/{app.Id}/clear_refs", "5");
        return app.RssMb();
    }

    /// <summary>A plan, two vendors' products and an open event: where the result with evidence is logged.</summary>
    private static async Task<string> SetUpAsync(Api api)
    {
        await api.PostTextAsync("/api/test-plans", """
            plan: bench-evidence
            title: Evidence
            version: "1.0"
            technology: SIP
            sections:
              - id: calls
                title: Calls
                cases:
                  - id: EV-1
                    title: A call
                    purpose: Both sides talk
                    steps: [Dial, Answer]
                    expected: [Two-way audio]
                    priority: mandatory
            """, "application/yaml");
        foreach (var organization in new[] { "ev-a", "ev-b" })
        {
            await api.PostJsonAsync("/api/organizations", new { key = organization, name = organization.ToUpperInvariant() });
            await api.PostJsonAsync("/api/products", new
            {
                key = organization + "1", organization, name = "Phone", version = "1.0", kind = "endpoint", technologies = new[] { "SIP" },
            });
        }
        await api.PostJsonAsync("/api/events", new
        {
            key = "bench-evidence", name = "Evidence", startDate = "2026-05-11", endDate = "2026-05-15",
            plans = new[] { new { plan = "bench-evidence", version = "1.0" } },
        });
        await api.PostJsonAsync("/api/events/bench-evidence/participants", new { products = new[] { "ev-a1", "ev-b1" } });
        await api.PostJsonAsync("/api/events/bench-evidence/status", new { status = "open" });
        return "/api/events/bench-evidence/results";
    }

    /// <summary>A pcap of the given length made as it is read: the magic number, then bytes that do not compress.</summary>
    private sealed class TraceStream(long length) : Stream
    {
        private static readonly byte[] Magic = [0xD4, 0xC3, 0xB2, 0xA1];
        private readonly Random _random = new(14);
        private long _position;

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = (int)Math.Min(buffer.Length, length - _position);
            _random.NextBytes(buffer[..n]);
            for (var i = 0; i < n && _position + i < Magic.Length; i++) buffer[i] = Magic[(int)_position + i];
            _position += n;
            return n;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
