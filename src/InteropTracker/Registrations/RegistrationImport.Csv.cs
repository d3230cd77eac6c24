using InteropTracker.Input;
using InteropTracker.TestPlans;

namespace InteropTracker.Registrations;

// CSV (RFC 4180, strict UTF-8): a header row naming the columns in any order, then one row a product. Places are
// "row 7, column capabilities".
public static partial class RegistrationImport
{
    private static Table? ReadCsv(byte[] content, ImportErrors errors)
    {
        if (CsvRecords.Read(content, errors, MaxRows, "split it into several files") is not { } records) return null;
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
