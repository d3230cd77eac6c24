using InteropTracker.Storage;

namespace InteropTracker.TestPlans;

/// <summary>
/// The test-case documents that ship with the app (the repository's testcases/ folder): a database with no test plans
/// at all loads every *.yaml in it at start-up, all in one transaction. A broken document stops the start.
/// </summary>
public static class TestCasesFolder
{
    public const string Setting = "Interop:TestCasesDirectory";

    public static async Task LoadIntoFreshDatabaseAsync(Database database, IConfiguration configuration, IHostEnvironment environment,
        ILogger logger)
    {
        var folder = Locate(configuration[Setting], environment.ContentRootPath);
        if (folder is null) return;

        await using var connection = await database.OpenAsync();
        // Every start after the first ends here, without reading the folder.
        if (await TestPlanStore.AnyAsync(connection)) return;
        var documents = Directory.GetFiles(folder, "*.yaml").Order(StringComparer.Ordinal).Select(file => (file, Read(file))).ToList();
        // Looked at again inside the write: of instances starting together on an empty database, one loads the folder.
        await using var transaction = connection.BeginWrite();
        if (await TestPlanStore.AnyAsync(connection, transaction)) return;
        foreach (var (file, document) in documents)
        {
            var saved = await TestPlanStore.SaveAsync(connection, transaction, document, loadedBy: null);
            if (saved.Outcome == TestPlanStore.Outcome.Conflict)
                throw new InvalidDataException(
                    $"{file}: test plan '{document.Plan}' version '{document.Version}' is also in another file of {folder} with other content.");
        }
        transaction.Commit();
        logger.LogInformation("Loaded {Count} test plans from {Folder} into the fresh database.", documents.Count, folder);
    }

    /// <summary>
    /// The configured folder; when the setting is absent, the nearest testcases/ folder at or above the content root
    /// (so `dotnet run --project src/InteropTracker` finds the repository's); when it is empty, none.
    /// </summary>
    public static string? Locate(string? configured, string contentRoot)
    {
        if (configured is not null)
        {
            if (string.IsNullOrWhiteSpace(configured)) return null;
            var path = Path.GetFullPath(configured, contentRoot);
            return Directory.Exists(path)
                ? path
                : throw new DirectoryNotFoundException($"{Setting} names the folder {path}, which does not exist.");
        }
        for (var dir = new DirectoryInfo(contentRoot); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "testcases");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    }

    private static TestPlanDocument Read(string file)
    {
        var errors = new ImportErrors();
        return TestPlanImport.Read(TestPlanFormat.Yaml, File.ReadAllBytes(file), QueryCollection.Empty, errors)
               ?? throw new InvalidDataException($"The test-case document {file} cannot be loaded:{Environment.NewLine}{errors}");
    }
}
