namespace InteropTracker.Bench;

/// <summary>How big the generated programme is and how long each figure is measured.</summary>
public sealed record Scale
{
    public required string Name { get; init; }
    public required int Products { get; init; }
    public required int Organizations { get; init; }
    public required int Cases { get; init; }
    public required int Results { get; init; }

    /// <summary>Rows per POST …/results/import while loading the event (and of the file whose import rate is measured).</summary>
    public int ImportRows { get; init; } = 100_000;

    /// <summary>How many fresh events the measured import file goes into; the figure is their median.</summary>
    public int ImportRuns { get; init; } = 3;

    public int Clients { get; init; } = 64;
    public required TimeSpan PostDuration { get; init; }
    public required TimeSpan PingDuration { get; init; }
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(3);
    public int MatrixRuns { get; init; } = 15;
    public int BaselineRuns { get; init; } = 5;
    public int ExportRuns { get; init; } = 3;
    public int Seed { get; init; } = 20261128;

    public static readonly Scale Small = new()
    {
        Name = "small", Products = 40, Organizations = 12, Cases = 250, Results = 100_000,
        PostDuration = TimeSpan.FromSeconds(15), PingDuration = TimeSpan.FromSeconds(5),
    };

    public static readonly Scale Large = new()
    {
        Name = "large", Products = 200, Organizations = 60, Cases = 300, Results = 1_000_000,
        PostDuration = TimeSpan.FromSeconds(60), PingDuration = TimeSpan.FromSeconds(15),
    };

    public static Scale? Named(string name) => name switch
    {
        "small" => Small,
        "large" => Large,
        _ => null,
    };
}
