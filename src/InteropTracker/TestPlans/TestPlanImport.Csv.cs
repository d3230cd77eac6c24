using System.Text;

namespace InteropTracker.TestPlans;

// CSV (RFC 4180: quoted fields, doubled quotes, line breaks inside quotes): the Cases table; the plan's own fields come
// from the query string (?plan=&title=&version=&technology=&source=). Places are "row 7, column priority".
public static partial class TestPlanImport
{
    private static readonly string[] QueryFields = ["plan", "title", "version", "technology", "source"];

    private static Located? ReadCsv(byte[] content, IQueryCollection query, ImportErrors errors)
    {
        if (DecodeUtf8(content, errors) is not { } text) return null;
        var records = ParseCsv(text, errors);
        if (records is null) return null;

        var planFields = QueryFields
            .Where(f => !string.IsNullOrEmpty(query[f]))
            .ToDictionary(f => f, f => (Located)new LocatedText($"query ?{f}=", query[f].ToString()));
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

    /// <returns>The records (the first is the header), or null when a quote is malformed.</returns>
    private static List<List<string>>? ParseCsv(string text, ImportErrors errors)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var field = new StringBuilder();
        var i = 0;
        while (true)
        {
            var row = records.Count + 1;
            if (i < text.Length && text[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i >= text.Length)
                    {
                        errors.Unreadable($"row {row}", $"A quoted field in column {record.Count + 1} is never closed: a closing \" is missing.");
                        return null;
                    }
                    var c = text[i++];
                    if (c != '"') field.Append(c);
                    else if (i < text.Length && text[i] == '"') { field.Append('"'); i++; }
                    else break;
                }
                if (i < text.Length && text[i] is not (',' or '\r' or '\n'))
                {
                    errors.Unreadable($"row {row}", $"In column {record.Count + 1}, a closing quote is followed by text; inside a quoted field write a quote twice (\"\").");
                    return null;
                }
            }
            else
            {
                for (; i < text.Length && text[i] is not (',' or '\r' or '\n'); i++)
                {
                    if (text[i] == '"')
                    {
                        errors.Unreadable($"row {row}", $"Column {record.Count + 1} has a quote inside an unquoted value; enclose the value in quotes and write the quote twice (\"\").");
                        return null;
                    }
                    field.Append(text[i]);
                }
            }

            record.Add(field.ToString());
            field.Clear();
            if (i < text.Length && text[i] == ',')
            {
                i++;
                continue;
            }
            if (i < text.Length && text[i] == '\r' && i + 1 < text.Length && text[i + 1] == '\n') i++;
            i++;
            records.Add(record);
            record = [];
            if (i >= text.Length) return records;
            if (records.Count > MaxRows)
            {
                errors.TooLarge($"row {records.Count}", $"The file has more than {MaxRows} rows; split the plan.");
                return null;
            }
        }
    }
}
