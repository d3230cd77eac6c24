namespace InteropTracker.TestPlans;

/// <summary>
/// The body of POST /api/test-plans and the test-plan page's file: YAML, JSON, CSV or an .xlsx workbook, by content
/// type or a file's extension.
/// </summary>
public static class TestPlanUpload
{
    public const int MaxBytes = 5 * 1024 * 1024;

    public static readonly FileUploads<TestPlanFormat> Files = new("the document", MaxBytes,
        new Dictionary<string, TestPlanFormat>(StringComparer.OrdinalIgnoreCase)
        {
            ["application/yaml"] = TestPlanFormat.Yaml,
            ["text/yaml"] = TestPlanFormat.Yaml,
            ["application/x-yaml"] = TestPlanFormat.Yaml,
            ["application/json"] = TestPlanFormat.Json,
            ["text/csv"] = TestPlanFormat.Csv,
            ["application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"] = TestPlanFormat.Xlsx,
        },
        new Dictionary<string, TestPlanFormat>(StringComparer.OrdinalIgnoreCase)
        {
            [".yaml"] = TestPlanFormat.Yaml,
            [".yml"] = TestPlanFormat.Yaml,
            [".json"] = TestPlanFormat.Json,
            [".xlsx"] = TestPlanFormat.Xlsx,
            [".csv"] = TestPlanFormat.Csv,
        });
}
