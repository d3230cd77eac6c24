using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace InteropTracker.Bench;

/// <summary>
/// The real app as a child process (`dotnet InteropTracker.dll --urls http://127.0.0.1:PORT`) over its own fresh
/// database file, so that the bench measures it from outside, memory included.
/// </summary>
public sealed class AppProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;

    private AppProcess(Process process, StreamWriter log, Uri address, string databaseFile)
    {
        _process = process;
        _log = log;
        Address = address;
        DatabaseFile = databaseFile;
    }

    public Uri Address { get; }
    public string DatabaseFile { get; }
    public int Id => _process.Id;

    /// <summary>The app's build beside this bench's: src/InteropTracker/bin/&lt;configuration&gt;/net10.0/InteropTracker.dll.</summary>
    public static string LocateApp()
    {
        var configuration = typeof(AppProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (!File.Exists(Path.Combine(dir.FullName, "InteropTracker.sln"))) continue;
            var dll = Path.Combine(dir.FullName, "src", "InteropTracker", "bin", configuration, "net10.0", "InteropTracker.dll");
            return File.Exists(dll) ? dll : throw new FileNotFoundException($"The app is not built: {dll} is missing.");
        }
        throw new DirectoryNotFoundException("The bench runs from inside the repository (no InteropTracker.sln above it).");
    }

    /// <param name="connectionString">The database to run on (a PostgreSQL one); by default a fresh SQLite file in the folder.</param>
    public static async Task<AppProcess> StartAsync(string appDll, string workDirectory, string adminToken, string? connectionString = null)
    {
        Directory.CreateDirectory(workDirectory);
        var port = FreePort();
        var databaseFile = Path.Combine(workDirectory, "interop.db");
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = workDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(appDll);
        start.ArgumentList.Add("--urls");
        start.ArgumentList.Add($"http://127.0.0.1:{port}");
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        start.Environment["ConnectionStrings__Interop"] = connectionString ?? $"Data Source={databaseFile}";
        start.Environment["INTEROP_ADMIN_TOKEN"] = adminToken;
        start.Environment["Interop__TestCasesDirectory"] = "";
        // As a deployment would: no log line per request (the app ships no appsettings.json that says so).
        start.Environment["Logging__LogLevel__Default"] = "Warning";

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var log = new StreamWriter(Path.Combine(workDirectory, "server.log")) { AutoFlush = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (log) log.WriteLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var app = new AppProcess(process, log, new Uri($"http://127.0.0.1:{port}"), databaseFile);
        await app.WaitUntilHealthyAsync(TimeSpan.FromSeconds(60));
        return app;
    }

    private async Task WaitUntilHealthyAsync(TimeSpan timeout)
    {
        using var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The app exited with code {_process.ExitCode} at start; see server.log.");
            try
            {
                if ((await client.GetAsync("/healthz")).StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or too busy starting to answer within the client's timeout.
            }
            await Task.Delay(200);
        }
        throw new TimeoutException("The app did not answer /healthz within a minute; see server.log.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Processor time the app has used so far, user and system, all threads (/proc/PID/stat), in seconds.</summary>
    public double CpuSeconds()
    {
        var fields = File.ReadAllText($"/proc/{_process.Id}/stat").Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (long.Parse(fields[11]) + long.Parse(fields[12])) / 100.0; // utime, stime in clock ticks (USER_HZ)
    }

    /// <summary>Peak resident set size so far (VmHWM), in MB.</summary>
    public double PeakRssMb() => StatusKb("VmHWM:") / 1024.0;

    /// <summary>Resident set size now (VmRSS), in MB.</summary>
    public double RssMb() => StatusKb("VmRSS:") / 1024.0;

    private long StatusKb(string field)
    {
        foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            if (line.StartsWith(field, StringComparison.Ordinal))
                return long.Parse(line[field.Length..].Trim().Split(' ')[0]);
        throw new InvalidDataException($"/proc/{_process.Id}/status has no {field}");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        lock (_log) _log.Dispose();
    }
}
