using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace InteropTracker.Access;

/// <summary>
/// Behind a TLS-terminating proxy the app sees plain HTTP from the proxy's address. When the operator names the proxy
/// (`ForwardedHeaders:KnownProxies`, `ForwardedHeaders:KnownNetworks`), its X-Forwarded-Proto and X-Forwarded-For are
/// believed: the request counts as HTTPS (so the sign-in cookie is Secure) and the client's address is the one the
/// failed-sign-in throttle counts. From any other address they are ignored; with neither setting, always.
/// </summary>
public static class TrustedProxies
{
    public const string Section = "ForwardedHeaders";

    public static WebApplicationBuilder AddTrustedProxies(this WebApplicationBuilder builder)
    {
        var proxies = List(builder.Configuration, "KnownProxies").Select(IPAddress.Parse).ToList();
        var networks = List(builder.Configuration, "KnownNetworks").Select(System.Net.IPNetwork.Parse).ToList();
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // The defaults trust loopback; only what the operator names is trusted here.
            options.KnownProxies.Clear();
            options.KnownIPNetworks.Clear();
            foreach (var proxy in proxies) options.KnownProxies.Add(proxy);
            foreach (var network in networks) options.KnownIPNetworks.Add(network);
        });
        return builder;
    }

    public static WebApplication UseTrustedProxies(this WebApplication app)
    {
        var configured = List(app.Configuration, "KnownProxies").Count + List(app.Configuration, "KnownNetworks").Count > 0;
        if (configured) app.UseForwardedHeaders();
        return app;
    }

    /// <summary>A list setting, as an array (`ForwardedHeaders__KnownProxies__0=…`) or one comma-separated value.</summary>
    private static List<string> List(IConfiguration configuration, string key)
    {
        var section = configuration.GetSection($"{Section}:{key}");
        var values = section.Value is { } single ? single.Split(',') : section.GetChildren().Select(c => c.Value ?? "");
        return values.Select(v => v.Trim()).Where(v => v.Length > 0).ToList();
    }
}
