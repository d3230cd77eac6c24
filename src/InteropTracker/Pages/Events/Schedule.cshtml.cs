using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Schedule;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages.Events;

/// <summary>
/// The timetable as a grid, slots down and tables across, read through the same function as GET …/schedule: everyone
/// who reads the event sees it, an engineer only its organization's sessions.
/// </summary>
[Performs(Permission.ReadSchedule)]
public sealed class ScheduleModel(Database database, PlanningCache plannings) : PageModel
{
    [FromRoute(Name = "event")] public string Key { get; set; } = "";

    public Viewer Viewer { get; private set; } = null!;
    public EventPlanning Planning { get; private set; } = null!;

    /// <summary>Null when no timetable was built yet.</summary>
    public Timetable? Timetable { get; private set; }

    /// <summary>The products whose next session the viewer may open: an engineer's organization's, or every participant.</summary>
    public IReadOnlyList<Participant> Products { get; private set; } = [];

    /// <summary>The grid's columns: the tables of the last build, then any other table a kept session sits at.</summary>
    public IReadOnlyList<string> Tables { get; private set; } = [];

    public async Task<IActionResult> OnGetAsync()
    {
        Viewer = (await Viewer.OfAsync(HttpContext))!;
        await using (var connection = await database.OpenAsync(HttpContext.RequestAborted))
        {
            var gate = await EventGate.OpenAsync(connection, plannings, Key, Viewer.Caller, EventNeed.Read);
            if (gate.Refusal is not null) return NotFound();
            Planning = gate.Value!;
        }
        var read = await ScheduleApi.ReadAsync(Key, Viewer.Caller, database, plannings);
        Timetable = read.Value?.Timetable;
        Products = Planning.Participants.Where(p => ScheduleApi.ProductRefusal(p.Key, Viewer.Caller, Planning) is null).ToList();
        if (Timetable is not null)
            Tables = Timetable.Tables.Concat(Timetable.Sessions.Select(s => s.Table)).Distinct().ToList();
        return Page();
    }

    public TimetableSession? At(TimetableSlot slot, string table) =>
        Timetable!.Sessions.FirstOrDefault(s => s.Slot == slot.Number && s.Table == table);

    public string Name(string product) => Planning.FindParticipant(product) is { } p ? $"{p.Name} {p.Version}".Trim() : product;

    public string Organization(string product) => Planning.FindParticipant(product)?.OrganizationName ?? "";

    public string NextUrl(string product) =>
        $"/events/{Uri.EscapeDataString(Key)}/schedule/next?product={Uri.EscapeDataString(product)}";

    public bool MayOpen(string product) => Products.Any(p => p.Key == product);

    public static string Time(DateTimeOffset t) => t.UtcDateTime.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);

    public static string Day(DateTimeOffset t) => t.UtcDateTime.ToString("ddd d MMM", System.Globalization.CultureInfo.InvariantCulture);
}
