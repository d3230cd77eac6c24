using Scalar.AspNetCore;

namespace InteropTracker.Access;

/// <summary>
/// Headers on every answer that tell the browser what the pages may do: scripts and styles only from this server
/// (wwwroot/site.js, site.css; no inline script or handler), no framing, no MIME sniffing, no referrer sent away.
/// </summary>
public static class SecurityHeaders
{
    // style-src-attr 'unsafe-inline': the progress bars carry their widths as style attributes, so the figures draw
    // without script; an attribute can neither run script nor load anything from elsewhere (img-src, font-src stay
    // 'self'), while <style> elements and foreign stylesheets stay refused.
    private const string Policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self'; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    // The API reference (Scalar) starts itself with one inline module script, which carries a per-request nonce, and
    // its components set styles as they run; it shows the OpenAPI document and nothing else.
    private static string ApiReferencePolicy(string nonce) =>
        $"default-src 'self'; script-src 'self' 'nonce-{nonce}'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static WebApplication UseSecurityHeaders(this WebApplication app)
    {
        app.Use((context, next) =>
        {
            // Set as the answer starts: the exception handler and the status-code pages clear headers set earlier.
            context.Response.OnStarting(() =>
            {
                var headers = context.Response.Headers;
                headers.ContentSecurityPolicy = context.Items.TryGetValue(ScalarOptions.NonceHttpContextItemKey, out var nonce) && nonce is string n
                    ? ApiReferencePolicy(n)
                    : Policy;
                headers.XContentTypeOptions = "nosniff";
                headers.XFrameOptions = "DENY";
                headers["Referrer-Policy"] = "no-referrer";
                return Task.CompletedTask;
            });
            return next(context);
        });
        return app;
    }
}
