namespace InteropTracker.TestPlans;

// The Cases table shared by the workbook and CSV: one row a case, a header naming the columns in any order;
// list cells hold one item a line, tag cells separate tags by ";". Rows are grouped into sections by their section id.
public static partial class TestPlanImport
{
    private static readonly string[] CaseColumns =
    [
        "section", "section_title", "id", "title", "purpose", "preconditions", "steps", "expected", "references",
        "priority", "directional", "requires", "initiator", "responder",
    ];
    private static readonly string[] RequiredColumns = ["section", "section_title", "id", "title", "purpose", "steps", "expected", "priority"];
    private static readonly string[] ListColumns = ["preconditions", "steps", "expected", "references"];
    private static readonly string[] TagColumns = ["requires", "initiator", "responder"];

    private const int MaxRows = 5_000;
    private const int MaxColumns = 32;

    /// <summary>A table as a workbook sheet or CSV file gives it: every row as wide as the header (which may have blank names), every cell placed.</summary>
    private sealed record Table(string HeaderPlace, IReadOnlyList<LocatedText> Header, IReadOnlyList<IReadOnlyList<LocatedText>> Rows);

    private static LocatedMap? FromTable(LocatedMap plan, Table table, ImportErrors errors)
    {
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        var unnamed = new List<int>();
        foreach (var (cell, index) in table.Header.Select((c, i) => (c, i)))
        {
            var name = Clean(cell.Text).ToLowerInvariant();
            if (name.Length == 0)
            {
                unnamed.Add(index);
                continue;
            }
            if (!CaseColumns.Contains(name))
                errors.Add(cell.Place, $"'{name}' is not a column of the Cases table; use {string.Join(", ", CaseColumns)}.");
            else if (!columns.TryAdd(name, index))
                errors.Add(cell.Place, $"The column '{name}' appears twice.");
        }
        foreach (var missing in RequiredColumns.Where(c => !columns.ContainsKey(c)))
            errors.Add(table.HeaderPlace, $"The header has no column '{missing}'; the Cases table needs {string.Join(", ", RequiredColumns)}.");
        if (errors.Any) return null;
        foreach (var cell in table.Rows.SelectMany(row => unnamed.Select(i => row[i])).Where(c => Clean(c.Text).Length > 0))
            errors.Add(cell.Place, "This value is in a column with no header; name the column or clear the value.");

        var sections = new List<(LocatedText Id, List<LocatedText> Titles, List<Located> Cases)>();
        foreach (var row in table.Rows.Where(r => r.Any(c => Clean(c.Text).Length > 0)))
        {
            var sectionCell = row[columns["section"]];
            var section = sections.FirstOrDefault(s => Clean(s.Id.Text) == Clean(sectionCell.Text));
            if (section.Id is null) sections.Add(section = (sectionCell, [], []));
            section.Titles.Add(row[columns["section_title"]]);

            var fields = columns
                .Where(c => c.Key is not ("section" or "section_title"))
                .ToDictionary(c => c.Key, c => TableValue(c.Key, row[c.Value]));
            var place = row[0].Place;
            section.Cases.Add(new LocatedMap(place, fields, _ => place));
        }

        var sectionMaps = sections.Select(s => (Located)new LocatedMap(s.Id.Place,
            new Dictionary<string, Located>
            {
                ["id"] = s.Id,
                ["title"] = SectionTitle(s.Id, s.Titles, errors),
                ["cases"] = new LocatedList(s.Id.Place, s.Cases),
            },
            _ => s.Id.Place)).ToList();

        var fieldsOfPlan = new Dictionary<string, Located>(plan.Fields) { ["sections"] = new LocatedList(table.HeaderPlace, sectionMaps) };
        return plan with { Fields = fieldsOfPlan };
    }

    private static Located TableValue(string column, LocatedText cell)
    {
        if (ListColumns.Contains(column)) return Split(cell, ['\n', '\r']);
        if (TagColumns.Contains(column)) return Split(cell, TagSeparators);
        return cell;
    }

    /// <summary>Tags in one cell or query value: separated by ";" or one a line.</summary>
    private static readonly char[] TagSeparators = [';', '\n', '\r'];

    private static LocatedList Split(LocatedText cell, char[] separators) =>
        new(cell.Place, cell.Text.Split(separators).Select(item => (Located)new LocatedText(cell.Place, item)).ToList());

    /// <summary>Any row of a section may carry its title; rows that carry one must agree.</summary>
    private static LocatedText SectionTitle(LocatedText sectionId, List<LocatedText> titles, ImportErrors errors)
    {
        var given = titles.Where(t => Clean(t.Text).Length > 0).ToList();
        if (given.Count == 0) return titles[0];
        foreach (var other in given.Skip(1).Where(t => Clean(t.Text) != Clean(given[0].Text)))
            errors.Add(other.Place, $"section '{Clean(sectionId.Text)}': section_title '{Clean(other.Text)}' differs from " +
                                    $"'{Clean(given[0].Text)}' at {given[0].Place}; give the section one title.");
        return given[0];
    }

    /// <summary>Spreadsheet booleans: TRUE / FALSE in any case, as Excel writes them into CSV.</summary>
    private static bool? TableBoolean(string text) =>
        Clean(text).ToLowerInvariant() switch { "true" => true, "false" => false, _ => null };
}
