using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages;

/// <summary>The events the viewer may see (an engineer: its organization's), newest first.</summary>
[Performs(Permission.ReadEvents)]
public sealed class IndexModel(Database database) : PageModel
{
    public IReadOnlyList<EventInfo> Events { get; private set; } = [];
    public Viewer Viewer { get; private set; } = null!;

    public async Task OnGetAsync()
    {
        Viewer = (await Viewer.OfAsync(HttpContext))!;
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        Events = await EventStore.ListAsync(connection, Viewer.Caller);
    }
}
