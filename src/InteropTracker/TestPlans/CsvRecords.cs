using InteropTracker.Input;

namespace InteropTracker.TestPlans;

/// <summary>The records of a CSV upload held whole in memory (a test plan, registrations), read strictly.</summary>
public static class CsvRecords
{
    /// <param name="split">How to make a file of too many rows smaller, said after "the file has more than N rows; ".</param>
    /// <returns>The records (the first is the header), or null when one cannot be read (named by its row in <paramref name="errors"/>).</returns>
    public static List<List<string>>? Read(byte[] content, ImportErrors errors, int maxRows, string split)
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
                if (records.Count == maxRows + 1)
                {
                    errors.TooLarge($"row {records.Count + 1}", $"The file has more than {maxRows} rows; {split}.");
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
