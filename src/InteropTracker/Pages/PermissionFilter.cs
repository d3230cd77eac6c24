using System.Collections.Concurrent;
using System.Reflection;
using InteropTracker.Access;
using InteropTracker.Core;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages;

/// <summary>A page that shows a refused action on itself (beside the form it came from) rather than on the error page.</summary>
public interface IShowsRefusal
{
    Task<IActionResult> ShowRefusalAsync(string why);
}

/// <summary>
/// Every page handler declares the action it performs (<see cref="PerformsAttribute"/> on the handler or its page) and
/// runs only when the caller's role may perform it, by the same rule as the API's routes. A handler that declares no
/// action does not run at all.
/// </summary>
public sealed class PermissionFilter : IAsyncPageFilter
{
    /// <summary>Where the error page finds why the request was refused.</summary>
    public const string RefusalItem = "interop:refusal";

    public Task OnPageHandlerSelectionAsync(PageHandlerSelectedContext context) => Task.CompletedTask;

    public async Task OnPageHandlerExecutionAsync(PageHandlerExecutingContext context, PageHandlerExecutionDelegate next)
    {
        var permission = Declared(context.ActionDescriptor.HandlerTypeInfo, context.HandlerMethod?.MethodInfo)
            ?? throw new InvalidOperationException(
                $"Page {context.ActionDescriptor.ViewEnginePath} handler {context.HandlerMethod?.Name ?? "(none)"} declares no action: " +
                "put [Performs(Permission.…)] on it.");
        var caller = CallerClaims.From(context.HttpContext.User);
        if (Permissions.Refusal(permission, caller) is not { } why)
        {
            await next();
            return;
        }
        if (caller is null)
        {
            context.Result = new ChallengeResult();
            return;
        }
        if (context.HandlerInstance is IShowsRefusal page)
        {
            context.Result = await page.ShowRefusalAsync(why);
            return;
        }
        context.HttpContext.Items[RefusalItem] = why;
        context.Result = new StatusCodeResult(StatusCodes.Status403Forbidden);
    }

    // Handlers and pages are a fixed set: each one's declaration is read by reflection once.
    private static readonly ConcurrentDictionary<(TypeInfo Page, MethodInfo? Handler), Permission?> DeclaredBy = new();

    /// <summary>The action a handler declares, or its page when the handler declares none.</summary>
    public static Permission? Declared(TypeInfo page, MethodInfo? handler) =>
        DeclaredBy.GetOrAdd((page, handler), static key =>
            (key.Handler?.GetCustomAttribute<PerformsAttribute>() ?? key.Page.GetCustomAttribute<PerformsAttribute>())?.Permission);
}
