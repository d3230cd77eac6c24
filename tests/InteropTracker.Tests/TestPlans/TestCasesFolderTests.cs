using System.Text.Json;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.TestPlans;

namespace InteropTracker.Tests.TestPlans;

/// <summary>The repository's testcases/ folder loaded the way a first start loads it.</summary>
public class ShippedTestCasesFixture : AppFixture
{
    /// <summary>The repository's testcases/ folder, found by walking up from the test assembly.</summary>
    public static string Folder { get; } = FindRepositoryFolder("testcases");

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { [TestCasesFolder.Setting] = Folder };

    private static string FindRepositoryFolder(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "InteropTracker.sln")))
                return Path.Combine(dir.FullName, name);
        throw new DirectoryNotFoundException($"No InteropTracker.sln above {AppContext.BaseDirectory}.");
    }
}

public class ShippedTestCasesTests(ShippedTestCasesFixture app) : IClassFixture<ShippedTestCasesFixture>
{
    [Theory]
    [InlineData("sip-video-basic", "SIP", 30)]
    [InlineData("webrtc-gateway", "WebRTC", 20)]
    [InlineData("h323-video", "H.323", 20)]
    public async Task A_shipped_document_loads_at_first_start_with_enough_cases(string plan, string technology, int atLeast)
    {
        var listed = await (await app.ClientFor(Roles.Member)).GetAsync("/api/test-plans").ReadJson<JsonElement>();

        var entry = listed.EnumerateArray().SingleOrDefault(p => p.GetProperty("plan").GetString() == plan);
        Assert.True(entry.ValueKind == JsonValueKind.Object, $"'{plan}' is not among the loaded plans: {listed}");
        Assert.Equal(technology, entry.GetProperty("technology").GetString());
        Assert.True(entry.GetProperty("cases").GetInt32() >= atLeast, $"'{plan}' has {entry.GetProperty("cases")} cases; at least {atLeast} are wanted.");
    }

    [Theory]
    [InlineData("sip-video-basic", "transport", "tls")]
    [InlineData("sip-video-basic", "media-security", "dtls-srtp")]
    [InlineData("webrtc-gateway", "ice-path", "relay-tls")]
    [InlineData("webrtc-gateway", "video-codec", "vp8")]
    [InlineData("h323-video", "nat-traversal", "h460.18")]
    [InlineData("h323-video", "audio-codec", "g722.1")]
    public async Task A_shipped_document_declares_the_result_attributes_of_its_profile(string plan, string attribute, string value)
    {
        var loaded = await (await app.ClientFor(Roles.Member)).GetAsync($"/api/test-plans/{plan}").ReadJson<JsonElement>();

        var values = loaded.GetProperty("document").GetProperty("attributes").GetProperty(attribute).EnumerateArray().Select(v => v.GetString());
        Assert.Contains(value, values);
    }

    [Fact]
    public void Every_yaml_document_of_the_folder_is_loaded_by_the_system_with_no_token()
    {
        var files = Directory.GetFiles(ShippedTestCasesFixture.Folder, "*.yaml").Length;
        using var db = app.OpenDatabase();
        var plans = db.Query("SELECT plan, created_by FROM test_plans").ToList();
        Assert.Equal(files, plans.Count);
        Assert.All(plans, p => Assert.Null(p.created_by));
    }
}

public class TestCasesFolderTests
{
    [Fact]
    public void Without_the_setting_the_nearest_testcases_folder_above_the_content_root_is_found()
    {
        var root = Directory.CreateTempSubdirectory("interop-walk-");
        try
        {
            var testcases = Directory.CreateDirectory(Path.Combine(root.FullName, "testcases")).FullName;
            var contentRoot = Directory.CreateDirectory(Path.Combine(root.FullName, "src", "InteropTracker")).FullName;

            Assert.Equal(testcases, TestCasesFolder.Locate(null, contentRoot));
            Assert.Null(TestCasesFolder.Locate("", contentRoot));
            Assert.Equal(testcases, TestCasesFolder.Locate("../../testcases", contentRoot));
            Assert.Throws<DirectoryNotFoundException>(() => TestCasesFolder.Locate("../../missing", contentRoot));
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task A_broken_shipped_document_stops_the_start_naming_its_file_and_line_and_loads_nothing()
    {
        var folder = Directory.CreateTempSubdirectory("interop-broken-");
        try
        {
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "a-good.yaml"), SamplePlans.Yaml(plan: "good-one"));
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "b-broken.yaml"),
                SamplePlans.Yaml(plan: "broken-one").Replace("priority: optional", "priority: someday"));
            await using var app = new FolderFixture(folder.FullName);

            var failure = Assert.ThrowsAny<Exception>(() => app.Server);

            var message = failure.ToString();
            Assert.Contains("b-broken.yaml", message);
            Assert.Contains("line 43: case 'MD-001': priority 'someday'", message);
            using var db = app.Connect();
            Assert.Equal(0, db.ExecuteScalar<long>("SELECT count(*) FROM test_plans"));
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private sealed class FolderFixture(string folder) : AppFixture
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { [TestCasesFolder.Setting] = folder };
    }
}
