namespace InteropTracker.TestPlans;

/// <summary>What changed between two versions of a plan: cases added, removed, and changed field by field. Pure.</summary>
public static class TestPlanDiff
{
    /// <summary>One field's old and new value: text, true/false, or a list of text.</summary>
    public sealed record FieldChange(string Field, object? From, object? To);

    public sealed record CaseEntry(string Id, string Title, string Section);

    public sealed record ChangedCase(string Id, string Title, IReadOnlyList<FieldChange> Changes);

    public sealed record Diff(
        string Plan, string From, string To,
        IReadOnlyList<FieldChange> PlanChanges,
        IReadOnlyList<CaseEntry> Added,
        IReadOnlyList<CaseEntry> Removed,
        IReadOnlyList<ChangedCase> Changed,
        int Unchanged);

    private static readonly (string Field, Func<TestPlanDocument, object?> Value)[] PlanFields =
    [
        ("title", p => p.Title), ("technology", p => p.Technology), ("source", p => p.Source),
    ];

    private static readonly (string Field, Func<TestCase, object> Value)[] CaseFields =
    [
        ("title", c => c.Title), ("purpose", c => c.Purpose), ("preconditions", c => c.Preconditions),
        ("steps", c => c.Steps), ("expected", c => c.Expected), ("references", c => c.References),
        ("priority", c => c.Priority), ("directional", c => c.Directional), ("requires", c => c.Requires),
        ("initiator", c => c.Initiator), ("responder", c => c.Responder),
    ];

    public static Diff Compare(TestPlanDocument from, TestPlanDocument to)
    {
        var before = Index(from);
        var after = Index(to);

        var changed = new List<ChangedCase>();
        foreach (var (id, (section, now)) in after.Where(a => before.ContainsKey(a.Key)))
        {
            var (oldSection, old) = before[id];
            var changes = new List<FieldChange>();
            if (oldSection.Id != section.Id) changes.Add(new FieldChange("section", oldSection.Id, section.Id));
            changes.AddRange(CaseFields
                .Where(f => !Same(f.Value(old), f.Value(now)))
                .Select(f => new FieldChange(f.Field, f.Value(old), f.Value(now))));
            if (changes.Count > 0) changed.Add(new ChangedCase(id, now.Title, changes));
        }

        return new Diff(
            to.Plan, from.Version, to.Version,
            PlanFields.Where(f => !Same(f.Value(from), f.Value(to))).Select(f => new FieldChange(f.Field, f.Value(from), f.Value(to))).ToList(),
            after.Where(a => !before.ContainsKey(a.Key)).Select(a => Entry(a.Value)).ToList(),
            before.Where(b => !after.ContainsKey(b.Key)).Select(b => Entry(b.Value)).ToList(),
            changed,
            after.Count(a => before.ContainsKey(a.Key)) - changed.Count);
    }

    /// <summary>Cases by id, in document order (a plan's case ids are unique).</summary>
    private static Dictionary<string, (TestSection Section, TestCase Case)> Index(TestPlanDocument plan) =>
        plan.Sections.SelectMany(s => s.Cases.Select(c => (Section: s, Case: c))).ToDictionary(x => x.Case.Id);

    private static CaseEntry Entry((TestSection Section, TestCase Case) x) => new(x.Case.Id, x.Case.Title, x.Section.Id);

    private static bool Same(object? a, object? b) =>
        a is IEnumerable<string> x && b is IEnumerable<string> y ? x.SequenceEqual(y) : Equals(a, b);
}
