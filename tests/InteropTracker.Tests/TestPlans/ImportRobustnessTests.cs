using System.Text;
using ClosedXML.Excel;
using InteropTracker.TestPlans;
using Microsoft.AspNetCore.Http;

namespace InteropTracker.Tests.TestPlans;

/// <summary>Corrupted documents, drawn at random from a fixed seed: the import answers with errors, it never throws.</summary>
public class ImportRobustnessTests
{
    private const int Rounds = 1_000;

    public static TheoryData<TestPlanFormat> Formats => [TestPlanFormat.Yaml, TestPlanFormat.Json, TestPlanFormat.Csv, TestPlanFormat.Xlsx];

    [Theory]
    [MemberData(nameof(Formats))]
    public void A_corrupted_document_is_refused_with_located_errors_and_never_throws(TestPlanFormat format)
    {
        var original = Original(format);
        var random = new Random(20260101 + (int)format);
        var query = new QueryCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>
        {
            ["plan"] = "fuzzed", ["title"] = "Fuzzed", ["version"] = "1", ["technology"] = "SIP",
        });
        Assert.NotNull(TestPlanImport.Read(format, original, query, new ImportErrors()));

        for (var round = 0; round < Rounds; round++)
        {
            var bytes = Corrupt(original, random);
            var errors = new ImportErrors();
            TestPlanDocument? document;
            try
            {
                document = TestPlanImport.Read(format, bytes, query, errors);
            }
            catch (Exception e)
            {
                File.WriteAllBytes(Path.Combine(Path.GetTempPath(), $"import-crash-{format}-{round}.bin"), bytes);
                throw new Xunit.Sdk.XunitException($"Round {round} of {format} threw: {e}");
            }
            Assert.True(document is not null || errors.Any, $"Round {round}: no document and no error.");
            Assert.True(document is null || !errors.Any, $"Round {round}: a document despite errors: {errors}");
        }
    }

    /// <summary>A few bytes overwritten, inserted or removed; sometimes a cut at a random length.</summary>
    private static byte[] Corrupt(byte[] original, Random random)
    {
        var bytes = original.ToList();
        for (var edits = random.Next(1, 6); edits > 0; edits--)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(4))
            {
                case 0: bytes[at] = (byte)random.Next(256); break;
                case 1: bytes.Insert(at, "[{\"'*&!:-,\n\t#%|>"u8[random.Next(16)]); break;
                case 2: bytes.RemoveAt(at); break;
                default: bytes.RemoveRange(at, bytes.Count - at); break;
            }
            if (bytes.Count == 0) break;
        }
        return bytes.ToArray();
    }

    private static byte[] Original(TestPlanFormat format) => format switch
    {
        TestPlanFormat.Yaml => Encoding.UTF8.GetBytes(SamplePlans.Yaml(plan: "fuzzed")),
        TestPlanFormat.Json => Encoding.UTF8.GetBytes(
            """{"plan":"fuzzed","title":"T","version":"1","technology":"SIP","sections":[{"id":"s","title":"S","cases":[{"id":"C-1","title":"T","purpose":"P","steps":["a"],"expected":["b"],"priority":"optional","directional":false,"requires":["h264"]}]}]}"""),
        TestPlanFormat.Csv => Encoding.UTF8.GetBytes(
            "section,section_title,id,title,purpose,steps,expected,priority,directional,requires\r\n" +
            "s,S,C-1,T,\"P, \"\"quoted\"\"\",\"a\nb\",c,optional,FALSE,h264;vp8\r\n"),
        _ => Workbook(),
    };

    private static byte[] Workbook()
    {
        using var workbook = new XLWorkbook();
        var plan = workbook.AddWorksheet("Plan");
        plan.Cell("A1").Value = "plan"; plan.Cell("B1").Value = "fuzzed";
        plan.Cell("A2").Value = "title"; plan.Cell("B2").Value = "T";
        plan.Cell("A3").Value = "version"; plan.Cell("B3").Value = "v1";
        plan.Cell("A4").Value = "technology"; plan.Cell("B4").Value = "SIP";
        var cases = workbook.AddWorksheet("Cases");
        string[] header = ["section", "section_title", "id", "title", "purpose", "steps", "expected", "priority"];
        string[] row = ["s", "S", "C-1", "T", "P", "a", "b", "optional"];
        for (var c = 0; c < header.Length; c++)
        {
            cases.Cell(1, c + 1).Value = header[c];
            cases.Cell(2, c + 1).Value = row[c];
        }
        using var stream = new MemoryStream();
        workbook.SaveAs(stream);
        return stream.ToArray();
    }
}
