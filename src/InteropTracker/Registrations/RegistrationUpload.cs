using InteropTracker.Input;
using InteropTracker.TestPlans;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace InteropTracker.Registrations;

/// <summary>A registration file as sent: CSV or an .xlsx workbook.</summary>
public enum RegistrationFormat { Csv, Xlsx }

/// <summary>
/// The body of POST /api/registrations/import: CSV (text/csv), a workbook, or a multipart file ending in .csv or .xlsx,
/// read through a hard size limit whatever the server in front enforces.
/// </summary>
public static class RegistrationUpload
{
    public const int MaxBytes = 5 * 1024 * 1024;

    public const string XlsxMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public sealed record Upload(RegistrationFormat Format, byte[] Content);

    private static readonly Dictionary<string, RegistrationFormat> MediaTypes = new(StringComparer.OrdinalIgnoreCase)
    {
        ["text/csv"] = RegistrationFormat.Csv,
        [XlsxMediaType] = RegistrationFormat.Xlsx,
    };

    public static IEnumerable<string> AcceptedMediaTypes => MediaTypes.Keys.Append("multipart/form-data");

    /// <summary>The format of a file from its name's extension; null when it is neither .csv nor .xlsx.</summary>
    public static RegistrationFormat? FormatOfFile(string fileName) => Path.GetExtension(fileName).ToLowerInvariant() switch
    {
        ".csv" => RegistrationFormat.Csv,
        ".xlsx" => RegistrationFormat.Xlsx,
        _ => null,
    };

    /// <returns>The upload, or null when <paramref name="errors"/> says why not.</returns>
    public static async Task<Upload?> ReadAsync(HttpRequest request, ImportErrors errors, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType))
        {
            errors.Unsupported("Content-Type", $"Send the file with one of the content types {string.Join(", ", AcceptedMediaTypes)}.");
            return null;
        }
        if (contentType.Charset.Value is { } charset && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase))
        {
            errors.Unsupported("Content-Type", $"The charset {charset} is not accepted; send the file as UTF-8.");
            return null;
        }
        var mediaType = contentType.MediaType.Value!;
        var isMultipart = mediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase);
        if (!isMultipart && !MediaTypes.ContainsKey(mediaType))
        {
            errors.Unsupported("Content-Type",
                $"{mediaType} is not accepted; use one of {string.Join(", ", AcceptedMediaTypes)} (a multipart file ending in .csv or .xlsx).");
            return null;
        }
        if (request.ContentLength > MaxBytes)
        {
            errors.TooLarge("body", $"The upload is {request.ContentLength} bytes; at most {MaxBytes} bytes are accepted.");
            return null;
        }
        if (await BoundedBody.ReadAllAsync(request.Body, MaxBytes, ct) is not { } body)
        {
            errors.TooLarge("body", $"The upload is larger than {MaxBytes} bytes, the most that is accepted.");
            return null;
        }
        if (!isMultipart) return NonEmpty(new Upload(MediaTypes[mediaType], body), errors);

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
                    errors.Unsupported("file", $"'{fileName}' is not a file that is read; send a .csv or .xlsx file.");
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
        errors.Unreadable("file", "The multipart upload has no file: send the registrations as the form's file field.");
        return null;
    }

    private static Upload? NonEmpty(Upload upload, ImportErrors errors)
    {
        if (upload.Content.Length > 0) return upload;
        errors.Unreadable("body", "The file is empty.");
        return null;
    }
}
