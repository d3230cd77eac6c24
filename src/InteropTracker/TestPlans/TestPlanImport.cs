using System.Text.RegularExpressions;
using InteropTracker.Core;
using InteropTracker.Input;

namespace InteropTracker.TestPlans;

public enum TestPlanFormat { Yaml, Json, Xlsx, Csv }

/// <summary>
/// Reads a test-plan document in any of its formats into a <see cref="TestPlanDocument"/>. Each format is first read
/// into located values (a value and the place it came from); one validation then turns those into the document,
/// so every rule holds the same way in every format and every error names its place.
/// </summary>
public static partial class TestPlanImport
{
    /// <summary>Deeper than any test plan needs (plan → sections → case → list is five levels).</summary>
    public const int MaxDepth = 16;

    /// <summary>Far more than any plan needs; keeps the values read from a 5 MB upload to a bounded number.</summary>
    public const int MaxValues = 250_000;

    /// <returns>The document, or null when <paramref name="errors"/> says why not.</returns>
    public static TestPlanDocument? Read(TestPlanFormat format, byte[] content, IQueryCollection query, ImportErrors errors)
    {
        var root = format switch
        {
            TestPlanFormat.Yaml => ReadYaml(content, errors),
            TestPlanFormat.Json => ReadJson(content, errors),
            TestPlanFormat.Xlsx => ReadWorkbook(content, errors),
            TestPlanFormat.Csv => ReadCsv(content, query, errors),
            _ => throw new ArgumentOutOfRangeException(nameof(format)),
        };
        if (root is null) return null;
        var document = Validate(root, errors);
        return errors.Any ? null : document;
    }

    private static readonly string[] PlanFields = ["plan", "title", "version", "technology", "source", "attributes", "sections"];
    private static readonly string[] SectionFields = ["id", "title", "cases"];
    private static readonly string[] CaseFields =
    [
        "id", "title", "purpose", "preconditions", "steps", "expected", "references",
        "priority", "directional", "requires", "initiator", "responder",
    ];

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex Slug();

    [GeneratedRegex("^[a-z0-9]+([.-][a-z0-9]+)*$")]
    private static partial Regex Tag();

    /// <summary>Versions, section ids and case ids appear in URLs and report cells: letters, digits and . _ - between them.</summary>
    [GeneratedRegex("^[A-Za-z0-9]+([._-][A-Za-z0-9]+)*$")]
    private static partial Regex Key();

    private const int MaxKeyLength = 64;
    private const int MaxTextLength = 10_000;

    private static TestPlanDocument? Validate(Located root, ImportErrors errors)
    {
        if (root is not LocatedMap map)
        {
            errors.Add(root.Place, "The document must be a mapping with plan, title, version, technology, source and sections.");
            return null;
        }
        var plan = new Fields(map, "plan", errors);
        plan.RejectUnknown(PlanFields);
        var document = new TestPlanDocument
        {
            Plan = plan.Key("plan", Slug(), "lowercase letters and digits in words joined by single hyphens, like sip-video-basic"),
            Title = plan.Text("title"),
            Version = plan.Key("version", Key(), "letters and digits with . _ or - between them, like 1.0 or 2024-rc1"),
            Technology = plan.Text("technology", maxLength: MaxKeyLength),
            Source = plan.OptionalText("source"),
            Attributes = plan.Attributes("attributes"),
        };

        var sectionIds = new Dictionary<string, string>(StringComparer.Ordinal);
        var caseIds = new Dictionary<string, string>(StringComparer.Ordinal);
        var sections = new List<TestSection>();
        var sectionMaps = plan.Maps("sections");
        if (sectionMaps.Count == 0 && plan.Has("sections"))
            errors.Add(plan.PlaceOf("sections"), "plan: sections is empty; a plan has at least one section with cases.");
        foreach (var (sectionMap, i) in sectionMaps.Select((s, i) => (s, i)))
        {
            var id = Peek(sectionMap, "id");
            var section = new Fields(sectionMap, id is null ? $"section {i + 1}" : $"section '{id}'", errors);
            section.RejectUnknown(SectionFields);
            var sectionId = section.Key("id", Key(), "letters and digits with . _ or - between them, like call-setup");
            CheckUnique(sectionIds, sectionId, section.PlaceOf("id"), "section id", errors);

            var cases = new List<TestCase>();
            var caseMaps = section.Maps("cases");
            if (caseMaps.Count == 0 && section.Has("cases"))
                errors.Add(section.PlaceOf("cases"), $"{section.Context}: cases is empty; a section has at least one case.");
            foreach (var (caseMap, j) in caseMaps.Select((c, j) => (c, j)))
            {
                var caseId = Peek(caseMap, "id");
                var fields = new Fields(caseMap, caseId is null ? $"case {j + 1} of {section.Context}" : $"case '{caseId}'", errors);
                var testCase = ReadCase(fields);
                CheckUnique(caseIds, testCase.Id, fields.PlaceOf("id"), "case id", errors);
                cases.Add(testCase);
            }
            sections.Add(new TestSection { Id = sectionId, Title = section.Text("title"), Cases = cases });
        }
        return document with { Sections = sections };
    }

    private static TestCase ReadCase(Fields fields)
    {
        fields.RejectUnknown(CaseFields);
        return new TestCase
        {
            Id = fields.Key("id", Key(), "letters and digits with . _ or - between them, like SIP-CS-001"),
            Title = fields.Text("title"),
            Purpose = fields.Text("purpose"),
            Preconditions = fields.Lines("preconditions", required: false),
            Steps = fields.Lines("steps", required: true),
            Expected = fields.Lines("expected", required: true),
            References = fields.Lines("references", required: false),
            Priority = fields.Priority("priority"),
            Directional = fields.Boolean("directional", whenAbsent: true),
            Requires = fields.Tags("requires"),
            Initiator = fields.Tags("initiator"),
            Responder = fields.Tags("responder"),
        };
    }

    private static void CheckUnique(Dictionary<string, string> seen, string id, string place, string what, ImportErrors errors)
    {
        if (id.Length == 0) return;
        if (seen.TryGetValue(id, out var first))
            errors.Add(place, $"{what} '{id}' is used twice in the plan (first at {first}); each must be unique.");
        else
            seen[id] = place;
    }

    private static string? Peek(LocatedMap map, string field) =>
        map.Fields.GetValueOrDefault(field) is LocatedText { Text: var text } && Clean(text).Length > 0 ? Clean(text) : null;

    /// <summary>Trimmed, with Windows line ends made \n: the same text reads the same from every format.</summary>
    internal static string Clean(string text) => text.Replace("\r\n", "\n").Replace('\r', '\n').Trim();

    /// <summary>The content as strict UTF-8 text; an invalid byte is reported with its offset and line.</summary>
    private static string? DecodeUtf8(byte[] content, ImportErrors errors)
    {
        try
        {
            return StrictUtf8.Decode(content);
        }
        catch (NotUtf8Exception e)
        {
            errors.Unreadable(e.Location, e.Message);
            return null;
        }
    }

    /// <summary>Reads the fields of one mapping (the plan, a section, a case), reporting each problem at its place.</summary>
    private sealed class Fields(LocatedMap map, string context, ImportErrors errors)
    {
        public string Context => context;

        public bool Has(string field) => map.Fields.ContainsKey(field);

        public string PlaceOf(string field) => map.Fields.TryGetValue(field, out var node) ? node.Place : map.PlaceOfMissing(field);

        public void RejectUnknown(IReadOnlyCollection<string> known)
        {
            foreach (var (name, node) in map.Fields.Where(f => !known.Contains(f.Key)))
                errors.Add(node.Place, $"{context}: '{name}' is not a field here; use {string.Join(", ", known)}.");
        }

        public string Text(string field, int maxLength = MaxTextLength) =>
            OptionalText(field, maxLength) ?? Missing(field);

        public string? OptionalText(string field, int maxLength = MaxTextLength)
        {
            switch (map.Fields.GetValueOrDefault(field))
            {
                case null:
                    return null;
                case LocatedText { Text: var raw } node:
                    var text = Clean(raw);
                    if (text.Length > maxLength)
                        errors.Add(node.Place, $"{context}: {field} is {text.Length} characters long; at most {maxLength}.");
                    return text.Length == 0 ? null : text;
                case var node:
                    errors.Add(node.Place, $"{context}: {field} must be text, not a {Describe(node)}.");
                    return "";
            }
        }

        public string Key(string field, Regex pattern, string form)
        {
            var text = Text(field, MaxKeyLength);
            if (text.Length > 0 && !pattern.IsMatch(text))
                errors.Add(PlaceOf(field), $"{context}: {field} '{text}' is not valid; use {form}.");
            return text;
        }

        public string Priority(string field)
        {
            var text = Text(field).ToLowerInvariant();
            if (text.Length > 0 && !Priorities.All.Contains(text))
                errors.Add(PlaceOf(field), $"{context}: priority '{text}' is not one of {string.Join(", ", Priorities.All)}.");
            return text;
        }

        public bool Boolean(string field, bool whenAbsent)
        {
            switch (map.Fields.GetValueOrDefault(field))
            {
                case null:
                    return whenAbsent;
                case LocatedText { Boolean: { } value }:
                    return value;
                case LocatedText { Text: var text } when Clean(text).Length == 0:
                    return whenAbsent;
                case LocatedText { Text: var text } node:
                    errors.Add(node.Place, $"{context}: {field} must be true or false, not '{Clean(text)}'.");
                    return whenAbsent;
                case var node:
                    errors.Add(node.Place, $"{context}: {field} must be true or false, not a {Describe(node)}.");
                    return whenAbsent;
            }
        }

        /// <summary>
        /// The plan's result attributes: a mapping from a tag to a non-empty list of distinct tags; null when absent.
        /// </summary>
        public IReadOnlyDictionary<string, IReadOnlyList<string>>? Attributes(string field)
        {
            switch (map.Fields.GetValueOrDefault(field))
            {
                case null:
                    return null;
                case LocatedText { Text: var text } when Clean(text).Length == 0:
                    return null;
                case LocatedMap attributes:
                    if (attributes.Fields.Count > ResultAttributes.MaxNames)
                        errors.Add(attributes.Place, $"{context}: {field} declares {attributes.Fields.Count} attributes; at most {ResultAttributes.MaxNames}.");
                    var declared = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                    foreach (var (rawName, node) in attributes.Fields)
                    {
                        var name = Clean(rawName);
                        if (name.Length > MaxKeyLength || !Tag().IsMatch(name))
                            errors.Add(node.Place, $"{context}: attribute name '{name}' is not valid; names are tags, lowercase words of letters and digits joined by . or -, like transport or video-codec.");
                        var values = new Fields(attributes, $"{context}, attribute '{name}'", errors).Tags(rawName);
                        if (values.Count == 0)
                            errors.Add(node.Place, $"{context}: attribute '{name}' has no values; list the values a result may name, like [udp, tcp, tls].");
                        else if (values.Count > ResultAttributes.MaxValues)
                            errors.Add(node.Place, $"{context}: attribute '{name}' has {values.Count} values; at most {ResultAttributes.MaxValues}.");
                        foreach (var twice in values.GroupBy(v => v).Where(g => g.Count() > 1))
                            errors.Add(node.Place, $"{context}: attribute '{name}' lists the value '{twice.Key}' twice.");
                        declared[name] = values;
                    }
                    return declared.Count == 0 ? null : declared;
                case var node:
                    errors.Add(node.Place, $"{context}: {field} must be a mapping from an attribute name to its values, like " +
                                           $"{{transport: [udp, tcp, tls]}}, not a {Describe(node)}.");
                    return null;
            }
        }

        public IReadOnlyList<string> Lines(string field, bool required) =>
            LocatedLines(field, required).Select(l => l.Text).ToList();

        public IReadOnlyList<string> Tags(string field)
        {
            var tags = LocatedLines(field, required: false);
            foreach (var (tag, place) in tags.Where(t => !Tag().IsMatch(t.Text)))
                errors.Add(place, $"{context}: {field} tag '{tag}' is not valid; tags are lowercase words of letters and digits joined by . or -, like h264 or rtcp-fb.pli.");
            return tags.Select(t => t.Text).ToList();
        }

        private List<(string Text, string Place)> LocatedLines(string field, bool required)
        {
            var items = Items(field);
            var lines = new List<(string Text, string Place)>();
            if (items is null) return lines;
            foreach (var item in items)
            {
                if (item is not LocatedText { Text: var raw })
                {
                    errors.Add(item.Place, $"{context}: each item of {field} must be text, not a {Describe(item)}.");
                    continue;
                }
                var text = Clean(raw);
                if (text.Length > MaxTextLength)
                    errors.Add(item.Place, $"{context}: an item of {field} is {text.Length} characters long; at most {MaxTextLength}.");
                if (text.Length > 0) lines.Add((text, item.Place));
            }
            if (required && lines.Count == 0 && items.All(i => i is LocatedText))
                errors.Add(PlaceOf(field), $"{context}: {field} is missing; give at least one.");
            return lines;
        }

        public IReadOnlyList<LocatedMap> Maps(string field)
        {
            if (!map.Fields.ContainsKey(field))
            {
                Missing(field);
                return [];
            }
            var maps = new List<LocatedMap>();
            foreach (var item in Items(field) ?? [])
            {
                if (item is LocatedMap m) maps.Add(m);
                else errors.Add(item.Place, $"{context}: each item of {field} must be a mapping of fields, not a {Describe(item)}.");
            }
            return maps;
        }

        /// <returns>The items, or null when the field is not a list (and that is reported).</returns>
        private IReadOnlyList<Located>? Items(string field)
        {
            switch (map.Fields.GetValueOrDefault(field))
            {
                case null:
                    return [];
                case LocatedList list:
                    return list.Items;
                case LocatedText { Text: var text } when Clean(text).Length == 0:
                    return [];
                case var node:
                    errors.Add(node.Place, $"{context}: {field} must be a list, not a {Describe(node)}.");
                    return null;
            }
        }

        private string Missing(string field)
        {
            errors.Add(PlaceOf(field), $"{context}: {field} is missing.");
            return "";
        }

        private static string Describe(Located node) => node switch
        {
            LocatedMap => "mapping",
            LocatedList => "list",
            _ => "text",
        };
    }
}

/// <summary>A value read from some input format with the place it came from, before validation.</summary>
internal abstract record Located(string Place);

/// <summary>A scalar; <see cref="Boolean"/> is set when the format says it is a real true or false.</summary>
internal sealed record LocatedText(string Place, string Text, bool? Boolean = null) : Located(Place);

internal sealed record LocatedList(string Place, IReadOnlyList<Located> Items) : Located(Place);

/// <summary>A mapping; <see cref="PlaceOfMissing"/> says where to point when a field is absent.</summary>
internal sealed record LocatedMap(string Place, IReadOnlyDictionary<string, Located> Fields, Func<string, string> PlaceOfMissing)
    : Located(Place);
