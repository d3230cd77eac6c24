namespace InteropTracker.Pages;

/// <summary>
/// The steps of the matrix's colour scale: a sequential, colour-blind-safe ramp (cividis-like, dark blue to yellow)
/// whose steps narrow towards 100 %, where an event's cells gather, so that 80 % and 98 % fall three steps apart. Each cell
/// prints its value as well; site.css holds the colours and matrix.js the same thresholds.
/// </summary>
public static class MatrixScale
{
    public static readonly IReadOnlyList<(string Class, string Label)> Steps =
    [
        ("rate-0", "below 50 %"), ("rate-1", "50–69 %"), ("rate-2", "70–79 %"), ("rate-3", "80–84 %"), ("rate-4", "85–89 %"),
        ("rate-5", "90–94 %"), ("rate-6", "95–97 %"), ("rate-7", "98–99 %"), ("rate-8", "100 %"),
    ];
}
