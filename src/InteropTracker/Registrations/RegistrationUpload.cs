using InteropTracker.TestPlans;

namespace InteropTracker.Registrations;

/// <summary>A registration file as sent: CSV or an .xlsx workbook.</summary>
public enum RegistrationFormat { Csv, Xlsx }

/// <summary>
/// The body of POST /api/registrations/import and the registration page's file: CSV or an .xlsx workbook, by content
/// type or a file's extension.
/// </summary>
public static class RegistrationUpload
{
    public const int MaxBytes = 5 * 1024 * 1024;

    public const string XlsxMediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

    public static readonly FileUploads<RegistrationFormat> Files = new("the file", MaxBytes,
        new Dictionary<string, RegistrationFormat>(StringComparer.OrdinalIgnoreCase)
        {
            ["text/csv"] = RegistrationFormat.Csv,
            [XlsxMediaType] = RegistrationFormat.Xlsx,
        },
        new Dictionary<string, RegistrationFormat>(StringComparer.OrdinalIgnoreCase)
        {
            [".csv"] = RegistrationFormat.Csv,
            [".xlsx"] = RegistrationFormat.Xlsx,
        });
}
