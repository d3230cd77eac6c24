using Microsoft.AspNetCore.Http.HttpResults;

namespace InteropTracker.TestPlans;

/// <summary>
/// Everything wrong with one upload, each message keyed by its place in the document ("line 14",
/// "sections[1].cases[3].priority", "Cases!F12", "row 7, column priority"), collected up to a cap.
/// </summary>
public sealed class ImportErrors
{
    public const int Cap = 100;

    private readonly Dictionary<string, List<string>> _byPlace = new(StringComparer.Ordinal);
    private int _status = StatusCodes.Status422UnprocessableEntity;

    public int Count { get; private set; }
    public bool Any => Count > 0;

    /// <summary>A rule the document breaks (422).</summary>
    public void Add(string place, string message) => Record(StatusCodes.Status422UnprocessableEntity, place, message);

    /// <summary>The document cannot be read at all: syntax, encoding, nesting, aliases (400).</summary>
    public void Unreadable(string place, string message) => Record(StatusCodes.Status400BadRequest, place, message);

    /// <summary>The upload is larger than the server reads, or inflates past it (413).</summary>
    public void TooLarge(string place, string message) => Record(StatusCodes.Status413PayloadTooLarge, place, message);

    /// <summary>The upload is in a form the server does not read (415).</summary>
    public void Unsupported(string place, string message) => Record(StatusCodes.Status415UnsupportedMediaType, place, message);

    /// <summary>The answer's status is that of the most fundamental problem: no point fixing rules in a file that cannot be read.</summary>
    private static readonly int[] Precedence =
    [
        StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType,
        StatusCodes.Status400BadRequest, StatusCodes.Status422UnprocessableEntity,
    ];

    private void Record(int status, string place, string message)
    {
        if (Array.IndexOf(Precedence, status) < Array.IndexOf(Precedence, _status)) _status = status;
        Count++;
        if (Count > Cap) return;
        if (!_byPlace.TryGetValue(place, out var messages)) _byPlace[place] = messages = [];
        messages.Add(message);
    }

    /// <summary>The status of the most fundamental problem (what the API answers; the upload page sets the same).</summary>
    public int Status => _status;

    /// <summary>Each place and its messages, in the order found: what the upload page lists beside its form.</summary>
    public IEnumerable<(string Place, string Message)> Messages =>
        _byPlace.SelectMany(e => e.Value.Select(m => (e.Key, m)));

    /// <param name="broken">The title when the document breaks rules (422): what the document is.</param>
    public ProblemHttpResult ToProblem(string broken = "The test plan breaks the rules")
    {
        var title = _status switch
        {
            StatusCodes.Status413PayloadTooLarge => "The document is too large",
            StatusCodes.Status415UnsupportedMediaType => "The content type is not accepted",
            StatusCodes.Status400BadRequest => "The document cannot be read",
            _ => broken,
        };
        var listed = Count > Cap ? $" (the first {Cap} are listed)" : "";
        var detail = $"{Count} {(Count == 1 ? "problem" : "problems")}{listed}, each under errors keyed by its place in the document. Nothing was loaded.";
        return TypedResults.Problem(new HttpValidationProblemDetails(_byPlace.ToDictionary(e => e.Key, e => e.Value.ToArray()))
        {
            Status = _status,
            Title = title,
            Detail = detail,
        });
    }

    /// <summary>One "place: message" line per error, for logs and start-up failures.</summary>
    public override string ToString() =>
        string.Join(Environment.NewLine, _byPlace.SelectMany(e => e.Value.Select(m => $"{e.Key}: {m}")))
        + (Count > Cap ? $"{Environment.NewLine}… and {Count - Cap} more" : "");
}
