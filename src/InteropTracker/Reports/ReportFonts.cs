using PdfSharp.Fonts;

namespace InteropTracker.Reports;

/// <summary>
/// Serves DejaVu Sans (regular and bold, shipped inside the assembly, licence in Reports/Fonts/LICENSE) for every font
/// the PDF asks for, so the report renders the same on any machine, with no system fonts installed.
/// </summary>
public sealed class ReportFonts : IFontResolver
{
    public const string Family = "DejaVu Sans";
    private const string RegularFace = "DejaVuSans";
    private const string BoldFace = "DejaVuSans-Bold";

    private static readonly Lock Gate = new();
    private static readonly Lazy<byte[]> Regular = new(() => Load("DejaVuSans.ttf"));
    private static readonly Lazy<byte[]> Bold = new(() => Load("DejaVuSans-Bold.ttf"));

    /// <summary>PDFsharp takes one resolver per process, before its first font: set it once, whoever renders first.</summary>
    public static void Register()
    {
        lock (Gate)
        {
            if (GlobalFontSettings.FontResolver is not ReportFonts) GlobalFontSettings.FontResolver = new ReportFonts();
        }
    }

    public FontResolverInfo ResolveTypeface(string familyName, bool bold, bool italic) =>
        new(bold ? BoldFace : RegularFace);

    public byte[] GetFont(string faceName) => faceName == BoldFace ? Bold.Value : Regular.Value;

    private static byte[] Load(string file)
    {
        using var stream = typeof(ReportFonts).Assembly.GetManifestResourceStream("fonts/" + file)
            ?? throw new InvalidOperationException($"The font {file} is not embedded in the assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
