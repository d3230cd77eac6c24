using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;

namespace InteropTracker.Tests.Performance;

/// <summary>
/// The app as a separate process on a real port over a given database file, so that a test can kill it (SIGKILL, as a
/// crash or a power cut would stop it) and open the file it leaves behind.
/// </summary>
public sealed class ChildApp : IAsyncDisposable
{
    private readonly Process _process;

    private ChildApp(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>What the app has written to its standard output so far, line by line.</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output) return [.. _output];
        }
    }

    private readonly List<string> _output = [];

    public static Task<ChildApp> StartAsync(string databaseFile) =>
        StartAsync($"Data Source={databaseFile}", Path.GetDirectoryName(databaseFile)!);

    /// <summary>
    /// The app on <paramref name="connectionString"/> with <paramref name="folder"/> as its working folder and content
    /// root, loading the test cases of <paramref name="testCases"/> (none by default), with the command's
    /// <paramref name="arguments"/> (for example --demo).
    /// </summary>
    public static async Task<ChildApp> StartAsync(string connectionString, string folder, string testCases = "", params string[] arguments)
    {
        var port = FreePort();
        // The test's output folder holds the app's build (InteropTracker.dll with its runtimeconfig and deps).
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = folder,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "InteropTracker.dll"));
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.ArgumentList.Add("--contentRoot");
        start.ArgumentList.Add(folder);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["ConnectionStrings__Interop"] = connectionString;
        start.Environment["INTEROP_ADMIN_TOKEN"] = AppFixture.AdminToken;
        start.Environment["Interop__TestCasesDirectory"] = testCases;
        start.Environment["Logging__LogLevel__Default"] = "Warning";
        // The app's own messages (the demo's progress among them) are kept.
        start.Environment["Logging__LogLevel__InteropTracker"] = "Information";
        var process = Process.Start(start)!;
        var app = new ChildApp(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (app._output) app._output.Add(e.Data);
        };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var client = app.Client(null);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (process.HasExited) throw new InvalidOperationException($"The app exited with code {process.ExitCode} at start.");
            if (await HealthyAsync(client)) return app;
            await Task.Delay(100);
        }
        throw new TimeoutException("The app did not answer /healthz within a minute.");
    }

    private static async Task<bool> HealthyAsync(HttpClient client)
    {
        try
        {
            return (await client.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK;
        }
        catch (HttpRequestException)
        {
            return false; // not listening yet
        }
    }

    /// <summary>Waits until a line of the app's output contains <paramref name="text"/>, and returns that line.</summary>
    public async Task<string> WaitForOutputAsync(string text, TimeSpan within)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < within)
        {
            if (Output.FirstOrDefault(line => line.Contains(text, StringComparison.Ordinal)) is { } line) return line;
            if (_process.HasExited) throw new InvalidOperationException($"The app exited with code {_process.ExitCode} before saying \"{text}\".");
            await Task.Delay(100);
        }
        throw new TimeoutException($"The app did not say \"{text}\" within {within.TotalSeconds:0} s; it said:\n{string.Join('\n', Output)}");
    }

    public HttpClient Client(string? token)
    {
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = Address };
        if (token is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>SIGKILL: the process gets no chance to finish a write, flush a buffer or checkpoint.</summary>
    public async Task KillAsync()
    {
        if (_process.HasExited) return;
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }
}
