using InteropTracker.Access;
using InteropTracker.Core;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages;

/// <summary>
/// The page an error status of a page request is re-executed into, with the request's own method: a refused form
/// post (bad antiforgery token, a role that may not write) lands here as a POST, which must not need a token itself.
/// </summary>
[IgnoreAntiforgeryToken, Performs(Permission.Public)]
public sealed class ErrorModel : PageModel
{
    [FromRoute] public int Code { get; set; }

    public (string Title, string Text) Message => Code switch
    {
        403 => ("Not for your role", "Your role may not open this page or do this. Ask the event's chair if you think it should."),
        404 => ("Not found", "There is nothing here. The address may be mistyped, or the event, plan or product may have another key."),
        400 => ("Request refused", "The form could not be accepted: it may have expired or come from another site. Go back, reload the page and try again."),
        409 => ("Conflict", "This clashes with something that already exists. Go back, reload the page and check."),
        _ => ("Something went wrong", "The server could not answer. Try again in a moment."),
    };

    /// <summary>Why the action was refused, when the rule that refused it said so.</summary>
    public string? Why => HttpContext.Items[PermissionFilter.RefusalItem] as string;

    public void OnGet() { }

    public void OnPost() { }
}
