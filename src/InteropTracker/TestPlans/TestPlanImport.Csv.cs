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
        var records = CsvRecords.Read(content, errors, MaxRows, "split the plan");
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
}
