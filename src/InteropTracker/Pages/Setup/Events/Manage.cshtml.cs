using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Storage;
using InteropTracker.Vendors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages.Setup.Events;

/// <summary>Chairs register participants and move the event draft → open → closed (and publish), through the API's handlers.</summary>
[Performs(Permission.ManageEvents)]
public sealed class ManageModel(Database database, PlanningCache plannings) : PageModel
{
    [FromRoute(Name = "event")] public string Key { get; set; } = "";

    [FromQuery] public string? Created { get; set; }
    [FromQuery] public string? Done { get; set; }

    public EventPlanning Planning { get; private set; } = null!;

    /// <summary>Registered products not yet in the event, by organization.</summary>
    public IReadOnlyList<IGrouping<string, Product>> Candidates { get; private set; } = [];

    [BindProperty] public List<string> Products { get; set; } = [];

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFound();

    public async Task<IActionResult> OnPostParticipantsAsync()
    {
        var body = new EventsApi.NewParticipants { Products = Products };
        var outcome = await FeatureCall.RunAsync(body, b => EventsApi.AddParticipantsAsync(Key, b, HttpContext.Caller(), database, plannings));
        return await AfterAsync(outcome.Refusal, outcome.Value is { } added
            ? $"Registered {added.Added.Count} {(added.Added.Count == 1 ? "product" : "products")}."
            : "", nameof(Products));
    }

    public async Task<IActionResult> OnPostStatusAsync(string status, bool? published)
    {
        var body = new EventsApi.StatusChange { Status = status, Published = published };
        var outcome = await FeatureCall.RunAsync(body, b => EventsApi.ChangeStatusAsync(Key, b, HttpContext.Caller(), database, plannings));
        return await AfterAsync(outcome.Refusal, outcome.Value is { } info
            ? $"The event is {info.Status}{(info.Published ? " and published" : "")}."
            : "", "status");
    }

    private async Task<IActionResult> AfterAsync(Refusal? refusal, string done, string field)
    {
        if (refusal is null) return Redirect($"/setup/events/{Uri.EscapeDataString(Key)}?done={Uri.EscapeDataString(done)}");
        if (refusal.Kind == RefusalKind.NotFound) return NotFound();
        foreach (var message in refusal.Messages()) ModelState.AddModelError(field, message);
        Response.StatusCode = refusal.Status();
        return await LoadAsync() ? Page() : NotFound();
    }

    private async Task<bool> LoadAsync()
    {
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        if ((await EventGate.OpenAsync(connection, plannings, Key, HttpContext.Caller(), EventNeed.Chair)).Value is not { } planning)
            return false;
        Planning = planning;
        var registered = planning.Participants.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        Candidates = (await VendorStore.ListProductsAsync(connection, null, HttpContext.Caller()))
            .Where(p => !registered.Contains(p.Key))
            .GroupBy(p => p.OrganizationName)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .ToList();
        return true;
    }
}
