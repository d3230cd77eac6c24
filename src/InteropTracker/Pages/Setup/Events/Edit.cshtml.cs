using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Corrections;
using InteropTracker.Engine;
using InteropTracker.Events;
using InteropTracker.Storage;
using InteropTracker.TestPlans;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using static InteropTracker.Pages.FormText;

namespace InteropTracker.Pages.Setup.Events;

/// <summary>
/// Chairs correct an event that is not closed (PATCH /api/events/{event}'s feature) and withdraw participants (DELETE
/// …/participants/{product}'s), each after a confirmation; the results a change would retire are shown before it is made.
/// </summary>
[Performs(Permission.ManageEvents)]
public sealed class EditModel(Database database, PlanningCache plannings, IResultEngine engine) : PageModel
{
    [FromRoute(Name = "event")] public string Key { get; set; } = "";

    [FromQuery] public string? Done { get; set; }

    /// <summary>The participant whose withdrawal is to be confirmed.</summary>
    [FromQuery] public string? Withdraw { get; set; }

    public EventPlanning Planning { get; private set; } = null!;

    /// <summary>Every loaded version of each pinned plan, to re-pin to.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Versions { get; private set; } = new Dictionary<string, IReadOnlyList<string>>();

    [BindProperty] public EventForm Form { get; set; } = new();

    public Outside? Outside { get; private set; }

    /// <summary>Which form the results to retire belong to: the event's, or a withdrawal's.</summary>
    public string? OutsideOf { get; private set; }

    public sealed class EventForm
    {
        public string? Name { get; set; }
        public string? Location { get; set; }
        public string? StartDate { get; set; }
        public string? EndDate { get; set; }
        public bool IncludeSameOrganization { get; set; }
        public List<PinForm> Plans { get; set; } = [];
    }

    public sealed class PinForm
    {
        public string? Plan { get; set; }
        public string? Version { get; set; }
    }

    public async Task<IActionResult> OnGetAsync()
    {
        if (!await LoadAsync()) return NotFound();
        Form = Current();
        return Page();
    }

    /// <summary>The event's form as the event stands.</summary>
    private EventForm Current()
    {
        var e = Planning.Event;
        return new EventForm
        {
            Name = e.Name, Location = e.Location, StartDate = e.StartDate, EndDate = e.EndDate,
            IncludeSameOrganization = e.IncludeSameOrganization,
            Plans = Planning.Plans.Select(p => new PinForm { Plan = p.Plan, Version = p.Version }).ToList(),
        };
    }

    public async Task<IActionResult> OnPostAsync(bool retire)
    {
        var body = new EventCorrections.EventChange
        {
            Name = Text(Form.Name), Location = Text(Form.Location), StartDate = Text(Form.StartDate), EndDate = Text(Form.EndDate),
            IncludeSameOrganization = Form.IncludeSameOrganization,
            Plans = Form.Plans.Select(p => new EventsApi.PlanPin { Plan = Text(p.Plan), Version = Text(p.Version) }).ToList(),
        };
        var outcome = await FeatureCall.RunAsync(body,
            b => EventCorrections.ChangeAsync(Key, b, retire, HttpContext.Caller(), database, plannings, engine));
        if (outcome.Value is { } done)
            return Back($"Saved. {done.Kept} results count ({done.Moved} moved to new plan versions), {done.Retired} retired.");
        return await RefusedAsync(outcome.Refusal!, "event", nameof(Form));
    }

    public async Task<IActionResult> OnPostWithdrawAsync(string product, bool retire)
    {
        var outcome = await EventCorrections.WithdrawAsync(Key, product, retire, HttpContext.Caller(), database, plannings, engine);
        if (outcome.Value is { } done)
            return Back($"{done.Product} was withdrawn; {done.Retired} {(done.Retired == 1 ? "result was" : "results were")} retired.");
        Withdraw = product;
        return await RefusedAsync(outcome.Refusal!, "withdraw", "withdraw");
    }

    private IActionResult Back(string done) =>
        Redirect($"/setup/events/{Uri.EscapeDataString(Key)}/edit?done={Uri.EscapeDataString(done)}");

    private async Task<IActionResult> RefusedAsync(Refusal refusal, string of, string field)
    {
        if (refusal.Detail == EventGate.NoSuchEvent(Key).Detail) return NotFound();
        Outside = Outside.Of(refusal);
        OutsideOf = of;
        if (Outside is null)
        {
            if (field == nameof(Form)) refusal.CopyTo(ModelState, field);
            else foreach (var message in refusal.Messages()) ModelState.AddModelError(field, message);
        }
        Response.StatusCode = refusal.Status();
        if (!await LoadAsync()) return NotFound();
        // A refused withdrawal leaves the event's form as the event stands; a refused change keeps what was typed.
        if (of == "withdraw") Form = Current();
        return Page();
    }

    private async Task<bool> LoadAsync()
    {
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        if ((await EventGate.OpenAsync(connection, plannings, Key, HttpContext.Caller(), EventNeed.Chair)).Value is not { } planning)
            return false;
        Planning = planning;
        var pinned = planning.Plans.Select(p => p.Plan).ToHashSet(StringComparer.Ordinal);
        Versions = (await TestPlanStore.ListVersionsAsync(connection))
            .Where(v => pinned.Contains(v.Plan))
            .GroupBy(v => v.Plan)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<string>)g.Select(v => v.Version).ToList());
        return true;
    }
}
