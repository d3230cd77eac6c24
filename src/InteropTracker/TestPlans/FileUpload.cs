using InteropTracker.Input;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace InteropTracker.TestPlans;

/// <summary>An uploaded file: the format it was read as, and its bytes.</summary>
public sealed record FileUpload<TFormat>(TFormat Format, byte[] Content) where TFormat : struct, Enum;

/// <summary>
/// What an upload route reads (test plans, registrations): a body in one of a few formats, told by its content type or,
/// for a multipart file, by its name's extension, read whole through a hard size limit whatever the server in front
/// enforces. The API route and the page's file field give the same answers to the same mistakes.
/// </summary>
/// <param name="What">What the file is, for messages: "the document", "the file".</param>
public sealed class FileUploads<TFormat>(string What, int maxBytes, IReadOnlyDictionary<string, TFormat> mediaTypes,
    IReadOnlyDictionary<string, TFormat> extensions) where TFormat : struct, Enum
{
    public int MaxBytes => maxBytes;

    public IEnumerable<string> AcceptedMediaTypes => mediaTypes.Keys.Append("multipart/form-data");

    /// <summary>The file name endings that are read, for messages and a file input's accept list.</summary>
    public IEnumerable<string> FileExtensions => extensions.Keys;

    /// <summary>The format of a file from its name's extension; null when it is not one that is read.</summary>
    public TFormat? FormatOfFile(string fileName) =>
        extensions.TryGetValue(Path.GetExtension(fileName), out var format) ? format : null;

    /// <returns>The upload, or null when <paramref name="errors"/> says why not.</returns>
    public async Task<FileUpload<TFormat>?> ReadAsync(HttpRequest request, ImportErrors errors, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType))
        {
            errors.Unsupported("Content-Type", $"Send {What} with one of the content types {string.Join(", ", AcceptedMediaTypes)}.");
            return null;
        }
        if (contentType.Charset.Value is { } charset && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            errors.Unsupported("Content-Type", $"The charset {charset} is not accepted; send {What} as UTF-8.");
            return null;
        }
        var mediaType = contentType.MediaType.Value!;
        var isMultipart = mediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);
        if (!isMultipart && !mediaTypes.ContainsKey(mediaType))
        {
            errors.Unsupported("Content-Type",
                $"{mediaType} is not accepted; use one of {string.Join(", ", AcceptedMediaTypes)} (a multipart file ending in {string.Join(", ", extensions.Keys)}).");
            return null;
        }
        if (request.ContentLength > maxBytes)
        {
            errors.TooLarge("body", $"The upload is {request.ContentLength} bytes; at most {maxBytes} bytes are accepted.");
            return null;
        }
        // Bounded here too: a test server or a proxy may not enforce the server's body limit.
        if (await BoundedBody.ReadAllAsync(request.Body, maxBytes, ct) is not { } body)
        {
            errors.TooLarge("body", $"The upload is larger than {maxBytes} bytes, the most that is accepted.");
            return null;
        }
        return isMultipart
            ? await ReadMultipartAsync(body, contentType, errors, ct)
            : NonEmpty(new FileUpload<TFormat>(mediaTypes[mediaType], body), errors);
    }

    /// <summary>A page's file field, checked as the API checks a multipart file.</summary>
    public async Task<FileUpload<TFormat>?> ReadFormFileAsync(IFormFile? file, ImportErrors errors, CancellationToken ct)
    {
        if (file is null || file.Length == 0)
        {
            errors.Unreadable("file", $"Choose a file to upload ({string.Join(", ", extensions.Keys)}).");
            return null;
        }
        if (FormatOfFile(file.FileName) is not { } format)
        {
            errors.Unsupported("file", NotRead(file.FileName));
            return null;
        }
        if (file.Length > maxBytes)
        {
            errors.TooLarge("file", $"The file is {file.Length} bytes; at most {maxBytes} bytes are accepted.");
            return null;
        }
        using var content = new MemoryStream();
        await file.CopyToAsync(content, ct);
        return new FileUpload<TFormat>(format, content.ToArray());
    }

    private string NotRead(string fileName) =>
        $"'{fileName}' is not a file that is read; use a name ending in {string.Join(", ", extensions.Keys)}.";

    /// <summary>The first file of a multipart/form-data body (a form's "file" field), its format from its extension.</summary>
    private async Task<FileUpload<TFormat>?> ReadMultipartAsync(byte[] body, MediaTypeHeaderValue contentType, ImportErrors errors,
        CancellationToken ct)
    {
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
        {
            errors.Unreadable("Content-Type", "A multipart/form-data upload needs its boundary parameter.");
            return null;
        }
        try
        {
            var reader = new MultipartReader(boundary, new MemoryStream(body));
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition)) continue;
                var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar.HasValue ? disposition.FileNameStar : disposition.FileName).Value;
                if (string.IsNullOrEmpty(fileName)) continue;
                if (FormatOfFile(fileName) is not { } format)
                {
                    errors.Unsupported("file", NotRead(fileName));
                    return null;
                }
                using var content = new MemoryStream();
                await section.Body.CopyToAsync(content, ct);
                return NonEmpty(new FileUpload<TFormat>(format, content.ToArray()), errors);
            }
        }
        catch (IOException e)
        {
            errors.Unreadable("body", $"The multipart body cannot be read: {e.Message}");
            return null;
        }
        errors.Unreadable("file", $"The multipart upload has no file: send {What} as the form's file field.");
        return null;
    }

    private FileUpload<TFormat>? NonEmpty(FileUpload<TFormat> upload, ImportErrors errors)
    {
        if (upload.Content.Length > 0) return upload;
        errors.Unreadable("body", $"{char.ToUpperInvariant(What[0])}{What[1..]} is empty.");
        return null;
    }
}
