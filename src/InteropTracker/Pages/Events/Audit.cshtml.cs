using System.Text.Json;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Corrections;
using InteropTracker.Events;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages.Events;

/// <summary>An event's audit log for chairs and admins (GET /api/events/{event}/audit's feature), filtered and paged.</summary>
[Performs(Permission.ReadAudit)]
public sealed class AuditModel(Database database, PlanningCache plannings) : PageModel
{
    public const int PageSize = 50;

    [FromRoute(Name = "event")] public string Key { get; set; } = "";

    [FromQuery] public string? Who { get; set; }
    [FromQuery] public string? What { get; set; }
    [FromQuery(Name = "page")] public int PageNumber { get; set; } = 1;

    public AuditLog.Page Log { get; private set; } = null!;

    public string EventName { get; private set; } = "";

    /// <summary>The kinds of write to filter by: the start of an action.</summary>
    public static readonly IReadOnlyList<(string Value, string Label)> Actions =
    [
        ("", "Every write"), ("event", "Event setup and status"), ("event.update", "Event corrections"),
        ("event.withdraw", "Withdrawals"), ("product", "Product corrections"), ("organization", "Organization corrections"),
        ("results.retire", "Retired results"), ("result.log", "Logged verdicts"), ("results.import", "Imports"),
        ("result.confirm", "Confirmations"), ("result.dispute", "Disputes"),
    ];

    public async Task<IActionResult> OnGetAsync()
    {
        var outcome = await AuditLog.ReadAsync(Key, Who, What, Math.Max(1, PageNumber), PageSize, HttpContext.Caller(), database, plannings);
        if (outcome.Refusal is { } refusal) return refusal.Kind == RefusalKind.NotFound ? NotFound() : StatusCode(refusal.Status());
        Log = outcome.Value!;
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        EventName = (await plannings.GetAsync(connection, Key))?.Event.Name ?? Key;
        return Page();
    }

    /// <summary>A before or after value as lines of "field: value", for people.</summary>
    public static IEnumerable<string> Lines(JsonElement? value)
    {
        if (value is not { ValueKind: JsonValueKind.Object } json) yield break;
        foreach (var field in json.EnumerateObject())
            yield return $"{field.Name}: {Text(field.Value)}";
    }

    private static string Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Null => "—",
        JsonValueKind.String => value.GetString()!,
        JsonValueKind.Array when value.EnumerateArray().All(v => v.ValueKind != JsonValueKind.Object) =>
            string.Join(", ", value.EnumerateArray().Select(Text)),
        JsonValueKind.Array => $"{value.GetArrayLength()} entries: " + string.Join("; ", value.EnumerateArray().Take(10).Select(Text)),
        JsonValueKind.Object => string.Join(", ", value.EnumerateObject().Select(f => $"{f.Name} {Text(f.Value)}")),
        _ => value.ToString(),
    };
}
