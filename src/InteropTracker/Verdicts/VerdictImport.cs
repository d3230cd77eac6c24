using System.Text;
using System.Text.Json;
using InteropTracker.Access;
using InteropTracker.Events;
using InteropTracker.Matrix;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Verdicts;

/// <summary>
/// Bulk results: a CSV file (RFC 4180, header row required; columns plan, case, initiator, responder, verdict, notes,
/// issue in any order) or a JSON array of the same objects. All rows or none: every row is checked against the
/// event's planning in memory first, and only a file with no bad row is written, in order, through
/// <see cref="VerdictWriter"/>, so rows for the same cell become successive revisions.
/// </summary>
public static class VerdictImport
{
    /// <summary>The largest file accepted (a 100,000-row CSV with notes is about 15 MB).</summary>
    public const long MaxBytes = 64L * 1024 * 1024;

    /// <summary>A file with more bad rows than this lists only the first ones, and says how many there are.</summary>
    public const int MaxListedErrors = 1000;

    public static readonly IReadOnlyList<string> Columns = ["plan", "case", "initiator", "responder", "verdict", "notes", "issue"];
    private static readonly IReadOnlyList<string> RequiredColumns = ["plan", "case", "initiator", "responder", "verdict"];

    /// <summary>A row of the file and where it is: "row 7" (CSV, the header is row 1) or "[6]" (JSON, from 0).</summary>
    public sealed record Row(string Location, ResultInput Input);

    /// <summary>The rows of a file, or what makes the whole file unreadable and where.</summary>
    public sealed record Parsed(IReadOnlyList<Row> Rows, string? ErrorLocation = null, string? Error = null);

    public sealed record Summary(int Rows, int Created, int Revised);

    /// <summary>The summary of a written import, or every bad row with its reasons (nothing written).</summary>
    public sealed record Outcome(Summary? Summary, Dictionary<string, string[]> Errors, int BadRows);

    public static Parsed ParseCsv(string text)
    {
        // Records are read one at a time into rows, so that a big file is never held as a list of field lists too.
        using var records = ReadRecords(text).GetEnumerator();
        if (!records.MoveNext() || records.Current.Fields is [""])
            return new Parsed([], "row 1", $"The file has no header row; the first row names the columns: {string.Join(",", Columns)}.");
        if (records.Current.Broken is { } brokenHeader) return new Parsed([], "row 1", brokenHeader);

        var given = records.Current.Fields.ToList();
        var header = given.Select(f => f.Trim().ToLowerInvariant()).ToList();
        for (var i = 0; i < header.Count; i++)
        {
            if (!Columns.Contains(header[i]))
                return new Parsed([], "row 1", $"Column {i + 1} '{given[i]}' is not a result column; use {string.Join(",", Columns)}.");
            if (header.IndexOf(header[i]) != i)
                return new Parsed([], "row 1", $"Column '{header[i]}' appears twice.");
        }
        var missing = RequiredColumns.Where(c => !header.Contains(c)).ToList();
        if (missing.Count > 0)
            return new Parsed([], "row 1", $"The header lacks the column{(missing.Count > 1 ? "s" : "")} {string.Join(", ", missing)}.");

        int Index(string column) => header.IndexOf(column);
        var (plan, @case, initiator, responder, verdict, notes, issue) =
            (Index("plan"), Index("case"), Index("initiator"), Index("responder"), Index("verdict"), Index("notes"), Index("issue"));
        var rows = new List<Row>(Math.Max(16, text.Length / 64));
        while (records.MoveNext())
        {
            var record = records.Current;
            if (record.Broken is { } broken) return new Parsed([], $"row {record.Row}", broken);
            var fields = record.Fields;
            if (fields is [""]) continue; // a blank line
            if (fields.Count != header.Count)
                return new Parsed([], $"row {record.Row}", $"The row has {fields.Count} fields; the header has {header.Count}.");
            rows.Add(new Row($"row {record.Row}", new ResultInput
            {
                Plan = fields[plan], Case = fields[@case], Initiator = fields[initiator], Responder = fields[responder],
                Verdict = fields[verdict], Notes = notes < 0 ? null : fields[notes], Issue = issue < 0 ? null : fields[issue],
            }));
        }
        return new Parsed(rows);
    }

    /// <summary>A record of the file; <see cref="Broken"/> says why reading stopped at it. Its field list is reused for the next record.</summary>
    private readonly record struct Record(int Row, List<string> Fields, string? Broken = null);

    /// <summary>RFC 4180 records: comma-separated, CRLF or LF, fields in double quotes may hold commas, line breaks and "".</summary>
    private static IEnumerable<Record> ReadRecords(string text)
    {
        var i = text.Length > 0 && text[0] == '\uFEFF' ? 1 : 0;
        var n = text.Length;
        var row = 1;
        var fields = new List<string>(Columns.Count);
        while (i < n)
        {
            fields.Clear();
            while (true)
            {
                if (i < n && text[i] == '"')
                {
                    var start = ++i;
                    StringBuilder? escaped = null;
                    while (true)
                    {
                        if (i >= n)
                        {
                            yield return new Record(row, fields, "A quoted field is not closed: a field that starts with \" ends with \".");
                            yield break;
                        }
                        if (text[i] == '"')
                        {
                            if (i + 1 < n && text[i + 1] == '"')
                            {
                                (escaped ??= new StringBuilder()).Append(text, start, i - start + 1);
                                i += 2;
                                start = i;
                                continue;
                            }
                            break;
                        }
                        i++;
                    }
                    fields.Add(escaped is null ? text[start..i] : escaped.Append(text, start, i - start).ToString());
                    i++;
                    if (i < n && text[i] is not (',' or '\r' or '\n'))
                    {
                        yield return new Record(row, fields, "Text follows a closing quote; a quote inside a quoted field is written \"\".");
                        yield break;
                    }
                }
                else
                {
                    var start = i;
                    while (i < n && text[i] is not (',' or '\r' or '\n')) i++;
                    fields.Add(text[start..i]);
                }
                if (i < n && text[i] == ',')
                {
                    i++;
                    continue;
                }
                break;
            }
            yield return new Record(row++, fields);
            if (i < n && text[i] == '\r') i++;
            if (i < n && text[i] == '\n') i++;
        }
    }

    public static Parsed ParseJson(ReadOnlySpan<byte> utf8)
    {
        List<ResultInput?>? items;
        try
        {
            items = JsonSerializer.Deserialize<List<ResultInput?>>(utf8, JsonSerializerOptions.Web);
        }
        catch (JsonException e)
        {
            return new Parsed([], e.Path ?? "$", $"The JSON cannot be read: {e.Message}");
        }
        if (items is null) return new Parsed([], "$", "The body is null; send a JSON array of results.");
        var rows = new List<Row>(items.Count);
        for (var i = 0; i < items.Count; i++)
            rows.Add(new Row($"[{i}]", items[i] ?? new ResultInput()));
        return new Parsed(rows);
    }

    /// <summary>
    /// Checks every row, then writes them all in file order, or none. The caller owns the transaction, which must be
    /// the one <paramref name="planning"/> was loaded in, and commits it only when the outcome has a summary.
    /// </summary>
    public static Outcome Apply(SqliteConnection connection, SqliteTransaction transaction, EventPlanning planning, Caller caller,
        IReadOnlyList<Row> rows, string at)
    {
        var writes = new List<CellWrite>(rows.Count);
        var errors = new Dictionary<string, string[]>();
        var bad = 0;
        foreach (var row in rows)
        {
            var check = ResultRules.Check(planning, caller, row.Input);
            if (check.Cell is { } cell)
            {
                writes.Add(cell);
                continue;
            }
            if (++bad > MaxListedErrors) continue;
            errors[row.Location] = check.Forbidden is { } forbidden
                ? [forbidden]
                : check.Errors.Select(e => $"{e.Key}: {e.Value}").ToArray();
        }
        if (bad > 0) return new Outcome(null, errors, bad);

        int created = 0, revised = 0;
        using var writer = new VerdictWriter(connection, transaction);
        writer.BeginBulk(planning.Event.Id, preload: Tallies.Results(connection, transaction, planning.Event.Id) <= 2L * writes.Count);
        // Written in cell order, so that the results' indexes are filled from one end rather than all over; the sort is
        // stable, so rows of one cell still become revisions in file order.
        foreach (var cell in writes.OrderBy(w => (w.Case.Id, w.Initiator.Id, w.Responder.Id)))
        {
            var recorded = writer.Record(cell.ToWrite(planning.Event.Id, caller.TokenId, at));
            if (recorded.Revision == 1) created++;
            else revised++;
        }
        writer.Flush();
        return new Outcome(new Summary(rows.Count, created, revised), errors, 0);
    }
}
