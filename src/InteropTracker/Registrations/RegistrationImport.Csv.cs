using InteropTracker.Input;
using InteropTracker.TestPlans;

namespace InteropTracker.Registrations;

// CSV (RFC 4180, strict UTF-8): a header row naming the columns in any order, then one row a product. Places are
// "row 7, column capabilities".
public static partial class RegistrationImport
{
    private static Table? ReadCsv(byte[] content, ImportErrors errors)
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
                    errors.TooLarge($"row {records.Count + 1}", $"The file has more than {MaxRows} rows; split it into several files.");
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
        if (records.Count == 0)
        {
            errors.Unreadable("row 1", "The file has no header row: the first row names the columns.");
            return null;
        }
        var width = records.Max(r => r.Count);
        if (width > MaxColumns)
        {
            errors.TooLarge("row 1", $"A row has {width} columns; at most {MaxColumns} are read.");
            return null;
        }
        var header = Enumerable.Range(0, width)
            .Select(i => new Cell($"row 1, column {i + 1}", i < records[0].Count ? records[0][i] : "")).ToList();
        var names = header.Select((h, i) => h.Clean.Length > 0 ? h.Clean.ToLowerInvariant() : $"{i + 1}").ToList();
        var rows = records.Skip(1).Select((record, r) => (IReadOnlyList<Cell>)names
            .Select((name, i) => new Cell($"row {r + 2}, column {name}", i < record.Count ? record[i] : ""))
            .ToList()).ToList();
        return new Table("row 1", header, rows);
    }
}
