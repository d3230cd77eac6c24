using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Evidence;
using InteropTracker.EventResults;
using InteropTracker.Events;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages.Events;

/// <summary>
/// A result's evidence files: download them, attach one (the form of the pairing page's drop zone posts here), remove
/// one. The same feature functions as the API; whoever may not see the evidence gets 404, as from the API.
/// </summary>
[Performs(Permission.ReadEvidence)]
[EvidenceBodyLimit]
public sealed class EvidenceModel(Database database, PlanningCache plannings, EvidenceOptions options) : PageModel
{
    [FromRoute(Name = "event")] public string Key { get; set; } = "";
    [FromRoute] public long Id { get; set; }

    public ResultInfo Result { get; private set; } = null!;
    public IReadOnlyList<EvidenceInfo> Files { get; private set; } = [];
    public bool MayAttach { get; private set; }
    public string? Message { get; private set; }
    public bool IsError { get; private set; }

    public string ApiUrl => $"/api/events/{Uri.EscapeDataString(Key)}/results/{Id}/evidence";

    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFound();

    [Performs(Permission.AttachEvidence)]
    public async Task<IActionResult> OnPostAsync(IFormFile? file)
    {
        Outcome<EvidenceInfo> outcome;
        if (file is null) outcome = Refusal.Invalid("file", "Choose a file to attach.");
        else
        {
            await using var content = file.OpenReadStream();
            outcome = await EvidenceFiles.AttachAsync(Key, Id, file.FileName, content, file.Length, HttpContext.Caller(), database,
                plannings, options, HttpContext.RequestAborted);
        }
        return await AnswerAsync(outcome.Refusal, outcome.Value is { } added ? $"Attached {added.Name} ({Size(added.Size)})." : "");
    }

    [Performs(Permission.AttachEvidence)]
    public async Task<IActionResult> OnPostRemoveAsync(long n)
    {
        var outcome = await EvidenceFiles.RemoveAsync(Key, Id, n, HttpContext.Caller(), database, plannings, options);
        return await AnswerAsync(outcome.Refusal, outcome.Value is { } removed ? $"Removed {removed.Name}." : "");
    }

    /// <summary>The script (a drop on the pairing page) gets the message as JSON with the status; a form post the page.</summary>
    private async Task<IActionResult> AnswerAsync(Refusal? refusal, string done)
    {
        var message = refusal is null ? done : string.Join(" ", refusal.Messages());
        if (Request.Headers["X-Requested-With"] == "fetch")
            return new JsonResult(new { message, ok = refusal is null }) { StatusCode = refusal?.Status() ?? StatusCodes.Status200OK };
        if (!await LoadAsync()) return NotFound();
        (Message, IsError) = (message, refusal is not null);
        if (refusal is not null) Response.StatusCode = refusal.Status();
        return Page();
    }

    private async Task<bool> LoadAsync()
    {
        var caller = HttpContext.Caller();
        var files = await EvidenceFiles.ListAsync(Key, Id, caller, database, plannings);
        if (files.Refusal is not null) return false;
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        var planning = (await EventGate.OpenAsync(connection, plannings, Key, caller, EventNeed.Read)).Value!;
        Result = (await ResultStore.FindAsync(connection, planning.Event.Id, Id))!;
        Files = files.Value!;
        MayAttach = planning.Event.IsOpen && !planning.Event.Published && Permissions.Refusal(Permission.AttachEvidence, caller) is null;
        return true;
    }

    public static string Size(long bytes) => bytes switch
    {
        < 1024 => $"{bytes} B",
        < 1024 * 1024 => $"{bytes / 1024.0:0.#} KB",
        _ => $"{bytes / (1024.0 * 1024.0):0.#} MB",
    };

    /// <summary>
    /// Lets this page's form carry an evidence file up to the configured limit (and a little for the form around it),
    /// before the form is read: the limit is a setting, so the fixed RequestSizeLimit attribute cannot say it.
    /// </summary>
    private sealed class EvidenceBodyLimitAttribute : Attribute, IAuthorizationFilter, IOrderedFilter
    {
        // With RequestSizeLimit's order: before the form is read (BodyLimits' FormFirst, order 0).
        public int Order => -2000;

        public void OnAuthorization(AuthorizationFilterContext context)
        {
            var feature = context.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>();
            if (feature is { IsReadOnly: false })
                feature.MaxRequestBodySize = context.HttpContext.RequestServices.GetRequiredService<EvidenceOptions>().MaxFileBytes + 64 * 1024;
        }
    }
}
