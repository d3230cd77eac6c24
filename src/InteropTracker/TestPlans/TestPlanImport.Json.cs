using System.Text.Json;

namespace InteropTracker.TestPlans;

// JSON through JsonDocument with a depth limit; every value is placed by its path, like sections[1].cases[3].priority.
public static partial class TestPlanImport
{
    private static Located? ReadJson(byte[] content, ImportErrors errors)
    {
        if (DecodeUtf8(content, errors) is not { } text) return null;
        try
        {
            using var json = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = MaxDepth });
            if (CountValues(json.RootElement) > MaxValues)
            {
                errors.Unreadable("(document)", $"The document holds more than {MaxValues} values; split the plan.");
                return null;
            }
            return ReadJsonValue(json.RootElement, "", errors);
        }
        catch (JsonException e)
        {
            errors.Unreadable($"line {(e.LineNumber ?? 0) + 1}", JsonSyntaxMessage(e));
            return null;
        }
    }

    /// <summary>Counted on the parsed document (compact) before any value is copied out of it.</summary>
    private static int CountValues(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => 1 + element.EnumerateObject().Sum(p => CountValues(p.Value)),
        JsonValueKind.Array => 1 + element.EnumerateArray().Sum(CountValues),
        _ => 1,
    };

    private static Located ReadJsonValue(JsonElement element, string path, ImportErrors errors)
    {
        var place = path.Length == 0 ? "(document)" : path;
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var fields = new Dictionary<string, Located>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    var child = path.Length == 0 ? property.Name : $"{path}.{property.Name}";
                    if (!fields.TryAdd(property.Name, ReadJsonValue(property.Value, child, errors)))
                        errors.Add(child, $"'{property.Name}' appears twice in the same object.");
                }
                return new LocatedMap(place, fields, field => path.Length == 0 ? field : $"{path}.{field}");
            case JsonValueKind.Array:
                var items = new List<Located>();
                foreach (var item in element.EnumerateArray())
                    items.Add(ReadJsonValue(item, $"{path}[{items.Count}]", errors));
                return new LocatedList(place, items);
            case JsonValueKind.String:
                return new LocatedText(place, element.GetString()!);
            case JsonValueKind.True or JsonValueKind.False:
                return new LocatedText(place, element.GetRawText(), element.GetBoolean());
            case JsonValueKind.Null:
                return new LocatedText(place, "");
            default: // a number, such as "version": 2, is taken as written
                return new LocatedText(place, element.GetRawText());
        }
    }

    /// <summary>System.Text.Json ends its messages with "LineNumber: 0 | BytePositionInLine: 5."; the line is already the key.</summary>
    private static string JsonSyntaxMessage(JsonException e)
    {
        var cut = e.Message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut < 0) cut = e.Message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        var message = cut >= 0 ? e.Message[..cut] : e.Message;
        return $"{message} (at byte {(e.BytePositionInLine ?? 0) + 1} of the line)";
    }
}
