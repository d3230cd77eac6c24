using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Engine;
using InteropTracker.Events;
using InteropTracker.Reports;
using InteropTracker.Storage;
using InteropTracker.Vendors;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages.Setup.Events;

/// <summary>Chairs register participants and move the event draft → open → closed (and publish), through the API's handlers.</summary>
[Performs(Permission.ManageEvents)]
public sealed class ManageModel(Database database, PlanningCache plannings, IResultEngine engine) : PageModel
{
    /// <summary>A step that asks before it acts: closing, publishing, reopening, withdrawing a publication.</summary>
    public sealed record Confirmation(string Question, string Consequence, string Yes, string Status, bool? Published, long? Snapshot, bool Danger);

    /// <summary>?confirm=close|publish|reopen|withdraw: the step to confirm, shown instead of the status buttons.</summary>
    [FromQuery(Name = "confirm")] public string? ConfirmStep { get; set; }

    [FromQuery(Name = "snapshot")] public long? ConfirmSnapshot { get; set; }

    public Confirmation? Confirm { get; private set; }

    public IReadOnlyList<SnapshotInfo> Snapshots { get; private set; } = [];

    public bool MayReopen => Permissions.Refusal(Permission.ReopenEvents, HttpContext.Caller()) is null;

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

    /// <summary>
    /// Changes the status. Closing, publishing, reopening and withdrawing a publication happen only once confirmed: a
    /// post without <paramref name="confirmed"/> changes nothing and shows the confirmation step (no script needed).
    /// </summary>
    public async Task<IActionResult> OnPostStatusAsync(string status, bool? published, long? snapshot, bool confirmed)
    {
        if (!confirmed && await EventInfoAsync() is { } now && StepOf(now.Status, status, published) is { } step)
            return Redirect($"/setup/events/{Uri.EscapeDataString(Key)}?confirm={step}{(snapshot is { } n ? $"&snapshot={n}" : "")}");
        var body = new EventsApi.StatusChange { Status = status, Published = published, Snapshot = snapshot };
        var outcome = await FeatureCall.RunAsync(body, b => EventsApi.ChangeStatusAsync(Key, b, HttpContext.Caller(), database, plannings));
        return await AfterAsync(outcome.Refusal, outcome.Value is { } info
            ? $"The event is {info.Status}{(info.Published ? $" and published (snapshot {info.PublishedSnapshot})" : "")}."
            : "", "status");
    }

    /// <summary>Sets (or clears) the review window's end, given in UTC by the form.</summary>
    public async Task<IActionResult> OnPostReviewAsync(string? reviewUntil)
    {
        var current = (await EventInfoAsync())?.Status ?? EventStatus.Open;
        var until = string.IsNullOrWhiteSpace(reviewUntil) ? "" : reviewUntil.Trim().Length == 16 ? $"{reviewUntil.Trim()}:00Z" : reviewUntil.Trim();
        var body = new EventsApi.StatusChange { Status = current, ReviewUntil = until };
        var outcome = await FeatureCall.RunAsync(body, b => EventsApi.ChangeStatusAsync(Key, b, HttpContext.Caller(), database, plannings));
        return await AfterAsync(outcome.Refusal, outcome.Value is { } info
            ? info.ReviewUntil is { } end ? $"Vendors review their results until {end[..16].Replace('T', ' ')} UTC." : "There is no review window."
            : "", "status");
    }

    public async Task<IActionResult> OnPostSnapshotAsync()
    {
        var outcome = await FeatureCall.RunAsync(() => SnapshotsApi.TakeAsync(Key, HttpContext.Caller(), database, plannings, engine, HttpContext.RequestAborted));
        return await AfterAsync(outcome.Refusal, outcome.Value is { } taken ? $"Snapshot {taken.Number} is taken: check its reports, then publish it." : "", "snapshot");
    }

    private async Task<EventInfo?> EventInfoAsync()
    {
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        return await EventStore.InfoAsync(connection, Key, HttpContext.Caller());
    }

    /// <summary>The confirmation a status change needs, or null for one that needs none (opening a draft).</summary>
    private static string? StepOf(string current, string status, bool? published) => (current, status, published) switch
    {
        (_, EventStatus.Closed, true) => "publish",
        (_, EventStatus.Closed, false) => "withdraw",
        (EventStatus.Open, EventStatus.Closed, null) => "close",
        (EventStatus.Closed, EventStatus.Open, _) => "reopen",
        _ => null,
    };

    private Confirmation? ConfirmationOf(EventRow e, string? step) => step switch
    {
        "close" when e.IsOpen => new("Close the event?",
            "Its results become final: nobody may log results any more" +
            (e.ReviewUntil is { } until ? $", and vendors may review theirs until {until[..16].Replace('T', ' ')} UTC." : ".") +
            " Only an admin can reopen it.", "Yes, close the event", EventStatus.Closed, null, null, true),
        "publish" when e.IsClosed => new($"Publish snapshot {ConfirmSnapshot?.ToString() ?? "(the latest)"}?",
            "Its anonymised report becomes public, and every download of the event's reports serves exactly this snapshot's bytes from now on.",
            "Yes, publish it", EventStatus.Closed, true, ConfirmSnapshot, false),
        "reopen" when e.IsClosed && MayReopen => new("Reopen the event?",
            "Engineers may log and change results again." + (e.Published ? " The publication stays: downloads keep serving the published snapshot until another is published." : ""),
            "Yes, reopen it", EventStatus.Open, null, null, true),
        "withdraw" when e.Published => new("Withdraw the publication?",
            "The public can no longer download the anonymised report.", "Yes, withdraw it", EventStatus.Closed, false, null, true),
        _ => null,
    };

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
        Confirm = ConfirmationOf(planning.Event, ConfirmStep);
        Snapshots = await EventSnapshots.ListAsync(connection, planning);
        var registered = planning.Participants.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        Candidates = (await VendorStore.ListProductsAsync(connection, null, HttpContext.Caller()))
            .Where(p => !registered.Contains(p.Key))
            .GroupBy(p => p.OrganizationName)
            .OrderBy(g => g.Key, StringComparer.OrdinalIgnoreCase)
            .ToList();
        return true;
    }
}
