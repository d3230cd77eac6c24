using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace InteropTracker.Evidence;

/// <summary>
/// The /api/events/{event}/results/{id}/evidence routes: engineers of the pairing's organizations (and admins) attach
/// and remove files; they, chairs and admins list and download them; anyone else is told there is no such result.
/// </summary>
public static class EvidenceApi
{
    /// <summary>What a multipart body carries besides its file: boundaries and part headers.</summary>
    private const long MultipartOverheadBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapEvidence(this IEndpointRouteBuilder app)
    {
        var options = app.ServiceProvider.GetRequiredService<EvidenceOptions>();
        const string route = "/api/events/{event}/results/{id:long}/evidence";
        var read = app.MapGroup(route).WithTags("Evidence").Performs(Permission.ReadEvidence);
        read.MapGet("/", List).WithName("ListEvidence").WithSummary("The evidence files of a result, in the order attached.");
        read.MapGet("/{n:long}", Download).WithName("DownloadEvidence")
            .WithSummary("One evidence file, streamed as an attachment.");

        var attach = app.MapGroup(route).WithTags("Evidence").Performs(Permission.AttachEvidence);
        attach.MapPost("/", Attach).WithName("AttachEvidence")
            .Accepts<IFormFile>("multipart/form-data")
            .WithMetadata(new BodyLimits.Limit(options.MaxFileBytes + MultipartOverheadBytes))
            .WithSummary("Attach a file (pcap, pcapng, log, txt, json, png, jpg) to a result of an open event, as a multipart " +
                         "file part; its content must be what its extension says. 413 past the size limit or the event's quota.");
        attach.MapDelete("/{n:long}", Remove).WithName("RemoveEvidence")
            .WithSummary("Remove a file from a result; its bytes stay while another result holds the same file.");
        return app;
    }

    private static async Task<Results<Ok<IReadOnlyList<EvidenceInfo>>, ProblemHttpResult>> List(string @event, long id,
        HttpContext context, Database database, PlanningCache plannings) =>
        Problems.Ok(await EvidenceFiles.ListAsync(@event, id, context.Caller(), database, plannings));

    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> Download(string @event, long id, long n,
        HttpContext context, Database database, PlanningCache plannings, EvidenceOptions options)
    {
        var outcome = await EvidenceFiles.OpenAsync(@event, id, n, context.Caller(), database, plannings, options);
        if (outcome.Refusal is { } refusal) return Problems.Of(refusal);
        var download = outcome.Value!;
        context.Response.Headers.XContentTypeOptions = "nosniff";
        var stream = new FileStream(download.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024,
            FileOptions.Asynchronous | FileOptions.SequentialScan);
        // A file name given sends it as an attachment (Content-Disposition), never shown inline by the browser.
        return TypedResults.File(stream, download.MediaType, download.File.Name);
    }

    private static async Task<Results<Created<EvidenceInfo>, ProblemHttpResult>> Attach(string @event, long id, HttpRequest request,
        HttpContext context, Database database, PlanningCache plannings, EvidenceOptions options)
    {
        var caller = context.Caller();
        if (PermissionEndpoints.Refuse(Permission.AttachEvidence, caller) is { } forbidden) return forbidden;
        var boundary = MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            ? HeaderUtilities.RemoveQuotes(type.Boundary).Value
            : null;
        if (string.IsNullOrEmpty(boundary))
            return Problems.Of(Refusal.Invalid("file", "Send the file as multipart/form-data, in a part with a file name."));
        var reader = new MultipartReader(boundary, request.Body);
        // The parts are read as they come: the file part streams to its check and its place, never whole in memory.
        while (await reader.ReadNextSectionAsync(context.RequestAborted) is { } section)
        {
            if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) || !disposition.IsFileDisposition())
                continue;
            var name = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
            var outcome = await EvidenceFiles.AttachAsync(@event, id, name, section.Body, null, caller, database, plannings, options,
                context.RequestAborted);
            return Problems.Created(outcome, file => $"/api/events/{@event}/results/{id}/evidence/{file.N}");
        }
        return Problems.Of(Refusal.Invalid("file", "The body has no file part; send the file in a part with a file name."));
    }

    private static async Task<Results<Ok<EvidenceInfo>, ProblemHttpResult>> Remove(string @event, long id, long n, HttpContext context,
        Database database, PlanningCache plannings, EvidenceOptions options) =>
        Problems.Ok(await EvidenceFiles.RemoveAsync(@event, id, n, context.Caller(), database, plannings, options));
}
