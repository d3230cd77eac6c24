using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace InteropTracker.TestPlans;

/// <summary>
/// One test-case document, as every input format (YAML, JSON, XLSX, CSV) reads into it. Its canonical JSON is what
/// the database stores and what the content hash is taken over, so the same plan hashes the same in any format.
/// </summary>
public sealed record TestPlanDocument
{
    public string Plan { get; init; } = "";
    public string Title { get; init; } = "";
    public string Version { get; init; } = "";
    public string Technology { get; init; } = "";
    public string? Source { get; init; }

    /// <summary>
    /// Result attributes and their allowed values, in the order given; null when the plan declares none, and then
    /// left out of the canonical JSON so that plans without attributes hash as they did before attributes existed.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Attributes { get; init; }

    public IReadOnlyList<TestSection> Sections { get; init; } = [];

    [JsonIgnore]
    public IEnumerable<TestCase> Cases => Sections.SelectMany(s => s.Cases);

    private static readonly JsonSerializerOptions Canonical = new(JsonSerializerDefaults.Web)
    {
        // Stored and hashed, never embedded in HTML: keep "§" and "↔" readable in the database.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
    };

    /// <summary>Compact camelCase JSON, every field present, in declaration order.</summary>
    public string ToCanonicalJson() => JsonSerializer.Serialize(this, Canonical);

    /// <summary>SHA-256 of the canonical JSON, lowercase hex.</summary>
    public string ContentHash() => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ToCanonicalJson())));

    public static TestPlanDocument FromCanonicalJson(string json) =>
        JsonSerializer.Deserialize<TestPlanDocument>(json, Canonical)
        ?? throw new InvalidDataException("A stored test plan document is empty.");
}

public sealed record TestSection
{
    public string Id { get; init; } = "";
    public string Title { get; init; } = "";
    public IReadOnlyList<TestCase> Cases { get; init; } = [];
}

public sealed record TestCase
{
    public string Id { get; init; } = "";
    public string Title { get; init; } = "";
    public string Purpose { get; init; } = "";
    public IReadOnlyList<string> Preconditions { get; init; } = [];
    public IReadOnlyList<string> Steps { get; init; } = [];
    public IReadOnlyList<string> Expected { get; init; } = [];
    public IReadOnlyList<string> References { get; init; } = [];
    public string Priority { get; init; } = "";
    public bool Directional { get; init; } = true;
    public IReadOnlyList<string> Requires { get; init; } = [];
    public IReadOnlyList<string> Initiator { get; init; } = [];
    public IReadOnlyList<string> Responder { get; init; } = [];
}

public static class Priorities
{
    public const string Mandatory = "mandatory";
    public const string Recommended = "recommended";
    public const string Optional = "optional";

    public static readonly IReadOnlyList<string> All = [Mandatory, Recommended, Optional];
}
