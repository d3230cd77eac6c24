using InteropTracker.Core;
using InteropTracker.Input;

namespace InteropTracker.TestPlans;

// CSV (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes): the Cases table; the plan's own fields come
// from the query string (?plan=&title=&version=&technology=&source=, and ?attr.transport=udp;tcp;tls for each result
// attribute). Places are "row 7, column priority".
public static partial class TestPlanImport
{
    private static readonly string[] QueryFields = ["plan", "title", "version", "technology", "source"];

    private static Located? ReadCsv(byte[] content, IQueryCollection query, ImportErrors errors)
    {
        var records = ParseCsv(content, errors);
        if (records is null) return null;

        var planFields = QueryFields
            .Where(f => !string.IsNullOrEmpty(query[f]))
            .ToDictionary(f => f, f => (Located)new LocatedText($"query ?{f}=", query[f].ToString()));
        var attributes = query.Where(q => q.Key.StartsWith(ResultAttributes.Prefix, StringComparison.Ordinal))
            .ToDictionary(q => q.Key[ResultAttributes.Prefix.Length..],
                q => (Located)Split(new LocatedText($"query ?{q.Key}=", q.Value.ToString()), TagSeparators));
        if (attributes.Count > 0)
            planFields["attributes"] = new LocatedMap("query ?attr.", attributes, f => $"query ?attr.{f}=");
        var plan = new LocatedMap("query", planFields, f => $"query ?{f}=");

        var width = records.Max(r => r.Count);
        if (width > MaxColumns)
        {
            errors.TooLarge("row 1", $"A row has {width} columns; at most {MaxColumns} are read.");
            return null;
        }
        var header = Enumerable.Range(0, width)
            .Select(i => new LocatedText($"row 1, column {i + 1}", i < records[0].Count ? records[0][i] : "")).ToList();
        var names = header.Select((h, i) => Clean(h.Text).Length > 0 ? Clean(h.Text).ToLowerInvariant() : $"{i + 1}").ToList();
        var rows = records.Skip(1).Select((record, r) => (IReadOnlyList<LocatedText>)names.Select((name, i) =>
        {
            var value = i < record.Count ? record[i] : "";
            return new LocatedText($"row {r + 2}, column {name}", value, TableBoolean(value));
        }).ToList()).ToList();
        return FromTable(plan, new Table("row 1", header, rows), errors);
    }

    /// <returns>The records (the first is the header), or null when one cannot be read.</returns>
    private static List<List<string>>? ParseCsv(byte[] content, ImportErrors errors)
    {
        // The whole upload is in memory already: a record may be as long as the file.
        var reader = new CsvReader(new StrictUtf8(new MemoryStream(content, writable: false)), maxRecordChars: content.Length + 1);
        var records = new List<List<string>>();
        try
        {
            while (reader.Next())
            {
                if (reader.Broken is { } broken)
                {
                    errors.Unreadable($"row {reader.Row}", broken);
                    return null;
                }
                if (records.Count == MaxRows + 1)
                {
                    errors.TooLarge($"row {records.Count}", $"The file has more than {MaxRows} rows; split the plan.");
                    return null;
                }
                records.Add(Enumerable.Range(0, reader.Count).Select(reader.Field).ToList());
            }
        }
        catch (NotUtf8Exception e)
        {
            errors.Unreadable(e.Location, e.Message);
            return null;
        }
        if (records.Count > 0) return records;
        errors.Unreadable("row 1", "The file has no header row: the first row names the columns.");
        return null;
    }
}
