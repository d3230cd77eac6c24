using InteropTracker.Access;
using InteropTracker.Core;
using Microsoft.AspNetCore.Diagnostics;

namespace InteropTracker.Pages;

/// <summary>The server-rendered pages: Razor Pages in this folder, one stylesheet and one small script in wwwroot.</summary>
public static class WebPages
{
    /// <summary>The header the page script sends its antiforgery token in (the forms send it as a field).</summary>
    public const string AntiforgeryHeader = "RequestVerificationToken";

    public static WebApplicationBuilder AddWebPages(this WebApplicationBuilder builder)
    {
        // Serve wwwroot from the build output's manifest in every environment, not only Development: `dotnet run`
        // and the tests run as Production/Testing from the build; a published app has the files and this is a no-op.
        builder.WebHost.UseStaticWebAssets();
        var services = builder.Services;
        services.AddRazorPages(options =>
        {
            // Every page needs a signed-in caller unless it says otherwise (anonymous callers are sent to sign in); what
            // each role may do there is the rule of the action each handler declares (PermissionFilter).
            options.Conventions.AuthorizeFolder("/");
            options.Conventions.AllowAnonymousToPage("/SignIn");
            options.Conventions.AllowAnonymousToPage("/Error");
            options.Conventions.AllowAnonymousToPage("/Public");
        });
        services.AddSingleton<PermissionFilter>();
        services.Configure<Microsoft.AspNetCore.Mvc.MvcOptions>(o => o.Filters.AddService<PermissionFilter>());
        services.AddAntiforgery(options =>
        {
            options.HeaderName = AntiforgeryHeader;
            options.Cookie.Name = "interop_antiforgery";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
        });
        return builder;
    }

    /// <summary>
    /// Pages answer an error status with a page of their own (re-executed as "/error/{code}"); the API keeps the
    /// problem+json of the status-code middleware before this one, which keeps a switch of its own.
    /// </summary>
    public static WebApplication UseWebPages(this WebApplication app)
    {
        app.UseStatusCodePagesWithReExecute("/error/{0}");
        app.Use((context, next) =>
        {
            if (context.Request.Path.StartsWithSegments("/api") && context.Features.Get<IStatusCodePagesFeature>() is { } pages)
                pages.Enabled = false;
            return next(context);
        });
        return app;
    }

    public static IEndpointRouteBuilder MapWebPages(this IEndpointRouteBuilder app)
    {
        app.MapStaticAssets().Performs(Permission.Public);
        app.MapRazorPages();
        return app;
    }
}
