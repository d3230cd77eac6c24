using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Mvc;
using static InteropTracker.Pages.FormText;
using Microsoft.AspNetCore.Mvc.RazorPages;
using static InteropTracker.TestPlans.TestPlanStore;

namespace InteropTracker.Pages.Setup.Events;

/// <summary>Chairs set up an event and pin test-plan versions, through the API's own handler.</summary>
[Performs(Permission.ManageEvents)]
public sealed class NewModel(Database database) : PageModel
{
    /// <summary>Each plan with its versions, latest last.</summary>
    public IReadOnlyList<IGrouping<string, TestPlanSummary>> Plans { get; private set; } = [];

    [BindProperty] public EventForm Form { get; set; } = new();

    public sealed class EventForm
    {
        public string? Name { get; set; }
        public string? Key { get; set; }
        public string? Location { get; set; }
        public string? StartDate { get; set; }
        public string? EndDate { get; set; }
        public bool IncludeSameOrganization { get; set; }
        public string? IssueUrlTemplate { get; set; }

        /// <summary>The plans to pin.</summary>
        public List<string> Plans { get; set; } = [];

        /// <summary>The version to pin of each plan (by plan key).</summary>
        public Dictionary<string, string> Versions { get; set; } = [];
    }

    public async Task OnGetAsync() => await LoadAsync();

    public async Task<IActionResult> OnPostAsync()
    {
        // The API's own words for this ("give [{"plan": …}]") are for callers of the API; the form says it its way.
        if (Form.Plans.Count == 0)
        {
            ModelState.AddModelError($"{nameof(Form)}.{nameof(Form.Plans)}", "Tick at least one test plan for the event to pin.");
            Response.StatusCode = StatusCodes.Status400BadRequest;
            await LoadAsync();
            return Page();
        }
        var body = new EventsApi.NewEvent
        {
            Key = Text(Form.Key), Name = Text(Form.Name), Location = Text(Form.Location), StartDate = Text(Form.StartDate),
            EndDate = Text(Form.EndDate), IncludeSameOrganization = Form.IncludeSameOrganization,
            IssueUrlTemplate = Form.IssueUrlTemplate,
            Plans = Form.Plans.Select(p => new EventsApi.PlanPin { Plan = p, Version = Form.Versions.GetValueOrDefault(p) }).ToList(),
        };
        var outcome = await FeatureCall.RunAsync(body, b => EventsApi.CreateAsync(b, HttpContext.Caller(), database));
        if (outcome.Refusal is not { } refusal) return Redirect($"/setup/events/{Uri.EscapeDataString(body.Key)}?created=1");
        refusal.CopyTo(ModelState, nameof(Form));
        Response.StatusCode = refusal.Status();
        await LoadAsync();
        return Page();
    }

    private async Task LoadAsync()
    {
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        Plans = (await ListVersionsAsync(connection)).GroupBy(v => v.Plan).ToList();
    }
}
