using System.Diagnostics;
using InteropTracker.Reports;

namespace InteropTracker.Tests.Reports;

/// <summary>The reports as their readers meet them: a PDF that checks clean (qpdf, installed by .ci/run).</summary>
public class PrintReadyReportsTests
{
    /// <summary>What qpdf --check says of a PDF, and its exit code (0 clean, 3 warnings, 2 errors).</summary>
    internal static async Task<(int Exit, string Output)> QpdfCheckAsync(byte[] pdf)
    {
        var file = Path.Combine(Path.GetTempPath(), $"interop-report-{Guid.NewGuid():N}.pdf");
        await File.WriteAllBytesAsync(file, pdf);
        try
        {
            using var qpdf = Process.Start(new ProcessStartInfo("qpdf", ["--check", file])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            })!;
            var output = await qpdf.StandardOutput.ReadToEndAsync() + await qpdf.StandardError.ReadToEndAsync();
            await qpdf.WaitForExitAsync();
            return (qpdf.ExitCode, output);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task The_pdf_passes_qpdf_check_without_a_warning(bool anonymise)
    {
        using var stream = new MemoryStream();
        await PdfReport.WriteAsync(ReportSample.Make().Model(anonymise), stream);

        var (exit, output) = await QpdfCheckAsync(stream.ToArray());

        Assert.True(exit == 0, output);
        Assert.DoesNotContain("WARNING", output);
        Assert.Contains("No syntax or stream encoding errors found", output);
    }
}
