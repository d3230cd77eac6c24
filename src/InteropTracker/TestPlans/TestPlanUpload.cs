using InteropTracker.Input;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace InteropTracker.TestPlans;

/// <summary>
/// The body of POST /api/test-plans: which format it is (by content type, or a multipart file's extension) and its
/// bytes, read with a hard size limit whatever the server in front enforces.
/// </summary>
public static class TestPlanUpload
{
    public const int MaxBytes = 5 * 1024 * 1024;

    public sealed record Upload(TestPlanFormat Format, byte[] Content);

    private static readonly Dictionary<string, TestPlanFormat> MediaTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["application/yaml"] = TestPlanFormat.Yaml,
        ["text/yaml"] = TestPlanFormat.Yaml,
        ["application/x-yaml"] = TestPlanFormat.Yaml,
        ["application/json"] = TestPlanFormat.Json,
        ["text/csv"] = TestPlanFormat.Csv,
        ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"] = TestPlanFormat.Xlsx,
    };

    private static readonly Dictionary<string, TestPlanFormat> Extensions = new(StringComparer.OrdinalIgnoreCase)
    {
        [".yaml"] = TestPlanFormat.Yaml,
        [".yml"] = TestPlanFormat.Yaml,
        [".json"] = TestPlanFormat.Json,
        [".xlsx"] = TestPlanFormat.Xlsx,
        [".csv"] = TestPlanFormat.Csv,
    };

    public static IEnumerable<string> AcceptedMediaTypes => MediaTypes.Keys.Append("multipart/form-data");

    /// <summary>The format of an uploaded file, from its name's extension; null when it is not one that is read.</summary>
    public static TestPlanFormat? FormatOfFile(string fileName) =>
        Extensions.TryGetValue(Path.GetExtension(fileName), out var format) ? format : null;

    /// <summary>The file name endings that are read, for messages and a file input's accept list.</summary>
    public static IEnumerable<string> FileExtensions => Extensions.Keys;

    /// <returns>The upload, or null when <paramref name="errors"/> says why not.</returns>
    public static async Task<Upload?> ReadAsync(HttpRequest request, ImportErrors errors, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType))
        {
            errors.Unsupported("Content-Type", $"Send the document with one of the content types {string.Join(", ", AcceptedMediaTypes)}.");
            return null;
        }
        var charset = contentType.Charset.Value;
        if (charset is not null && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            errors.Unsupported("Content-Type", $"The charset {charset} is not accepted; send the document as UTF-8.");
            return null;
        }

        var mediaType = contentType.MediaType.Value!;
        var isMultipart = mediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);
        if (!isMultipart && !MediaTypes.ContainsKey(mediaType))
        {
            errors.Unsupported("Content-Type",
                $"{mediaType} is not accepted; use one of {string.Join(", ", AcceptedMediaTypes)} (a multipart file ending in {string.Join(", ", Extensions.Keys)}).");
            return null;
        }

        if (request.ContentLength > MaxBytes)
        {
            errors.TooLarge("body", $"The upload is {request.ContentLength} bytes; at most {MaxBytes} bytes are accepted.");
            return null;
        }
        // Bounded here too: a test server or a proxy may not enforce the server's body limit.
        if (await BoundedBody.ReadAllAsync(request.Body, MaxBytes, ct) is not { } body)
        {
            errors.TooLarge("body", $"The upload is larger than {MaxBytes} bytes, the most that is accepted.");
            return null;
        }

        return isMultipart
            ? await ReadFileAsync(body, contentType, errors, ct)
            : NonEmpty(new Upload(MediaTypes[mediaType], body), errors);
    }

    /// <summary>The first file of a multipart/form-data body (a form's "file" field), its format from its extension.</summary>
    private static async Task<Upload?> ReadFileAsync(byte[] body, MediaTypeHeaderValue contentType, ImportErrors errors,
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
                    errors.Unsupported("file", $"'{fileName}' is not a file that is read; use a name ending in {string.Join(", ", Extensions.Keys)}.");
                    return null;
                }
                using var content = new MemoryStream();
                await section.Body.CopyToAsync(content, ct);
                return NonEmpty(new Upload(format, content.ToArray()), errors);
            }
        }
        catch (IOException e)
        {
            errors.Unreadable("body", $"The multipart body cannot be read: {e.Message}");
            return null;
        }
        errors.Unreadable("file", "The multipart upload has no file: send the document as the form's file field.");
        return null;
    }

    private static Upload? NonEmpty(Upload upload, ImportErrors errors)
    {
        if (upload.Content.Length > 0) return upload;
        errors.Unreadable("body", "The document is empty.");
        return null;
    }
}
