using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Schedule;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages.Events;

/// <summary>
/// "My next session": where one product goes next (slot, table, partner) and the cells to run there in order, then
/// the sessions after it. An engineer opens its organization's products only, as with the calendar.
/// </summary>
[Performs(Permission.ReadSchedule)]
public sealed class NextSessionModel(Database database, PlanningCache plannings) : PageModel
{
    [FromRoute(Name = "event")] public string Key { get; set; } = "";
    [FromQuery(Name = "product")] public string? ProductKey { get; set; }

    public EventPlanning Planning { get; private set; } = null!;
    public Participant Product { get; private set; } = null!;
    public Timetable? Timetable { get; private set; }
    public TimetableSession? Next { get; private set; }
    public IReadOnlyList<TimetableSession> Later { get; private set; } = [];
    public int Done { get; private set; }

    public async Task<IActionResult> OnGetAsync()
    {
        var viewer = (await Viewer.OfAsync(HttpContext))!;
        await using (var connection = await database.OpenAsync(HttpContext.RequestAborted))
        {
            var gate = await EventGate.OpenAsync(connection, plannings, Key, viewer.Caller, EventNeed.Read);
            if (gate.Refusal is not null) return NotFound();
            Planning = gate.Value!;
        }
        var own = Planning.Participants.Where(p => ScheduleApi.ProductRefusal(p.Key, viewer.Caller, Planning) is null).ToList();
        // Without a product, an engineer with one product in the event means that one; anyone else picks on the grid.
        var key = ProductKey ?? (own.Count == 1 ? own[0].Key : null);
        if (key is null) return Redirect($"/events/{Uri.EscapeDataString(Key)}/schedule");
        if (ScheduleApi.ProductRefusal(key, viewer.Caller, Planning) is not null) return NotFound();
        Product = Planning.FindParticipant(key)!;

        Timetable = (await ScheduleApi.ReadAsync(Key, viewer.Caller, database, plannings)).Value?.Timetable;
        var mine = Timetable?.Sessions.Where(s => s.Involves(key)).ToList() ?? [];
        var now = DateTimeOffset.UtcNow;
        Done = mine.Count(s => s.End <= now);
        Next = mine.FirstOrDefault(s => s.End > now);
        Later = mine.Where(s => s.End > now).Skip(1).ToList();
        return Page();
    }

    public string Name(string product) => Planning.FindParticipant(product) is { } p ? $"{p.Name} {p.Version}".Trim() : product;

    public string Organization(string product) => Planning.FindParticipant(product)?.OrganizationName ?? "";
}
