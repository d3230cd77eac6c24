using InteropTracker.Core;
using InteropTracker.Matrix;
using InteropTracker.EventResults;

namespace InteropTracker.Tests.Matrix;

/// <summary>
/// The arithmetic of DESIGN.md ("Verdicts and the numbers") checked on 64 random events, each with and without
/// same-organization pairs. The expected figures come from <see cref="DesignRule"/> and the logged verdicts, not
/// from the code under test. A failure names the seed (in the test name) and the scope and cell.
/// </summary>
public class RandomisedNumbersTests
{
    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (var seed = 1; seed <= 64; seed++) seeds.Add(seed);
        return seeds;
    }

    private static readonly bool[] BothWays = [false, true];

    [Theory, MemberData(nameof(Seeds))]
    public void Planned_counts_per_cell_and_per_case_follow_the_rule_and_agree_with_the_cells_one_by_one(int seed)
    {
        var random = RandomEvent.Generate(seed);
        foreach (var same in BothWays)
        {
            var where = $"{random}, includeSameOrganization {same}";
            var counts = Planning.Count(random.Cases, random.Products, same);
            var cells = Planning.Cells(random.Cases, random.Products, same).ToList();

            Assert.Equal(random.Products.Select(p => p.Key).Order(StringComparer.Ordinal), counts.Products.Select(p => p.Key));
            for (var i = 0; i < counts.Products.Count; i++)
                for (var j = 0; j < counts.Products.Count; j++)
                {
                    var (a, b) = (counts.Products[i], counts.Products[j]);
                    var byRule = random.Cases.LongCount(c => DesignRule.IsCell(c, a, b, same));
                    var oneByOne = cells.LongCount(cell => cell.Initiator.Id == a.Id && cell.Responder.Id == b.Id);
                    Same(byRule, counts.Cells[i, j], $"{where}, planned {a.Key}→{b.Key} by Count");
                    Same(byRule, oneByOne, $"{where}, planned {a.Key}→{b.Key} by Cells");
                }
            foreach (var c in random.Cases)
            {
                var byRule = random.Products.Sum(a => random.Products.LongCount(b => DesignRule.IsCell(c, a, b, same)));
                Same(byRule, counts.PerCase.GetValueOrDefault(c.Id), $"{where}, planned pairs of case {c.Key} by Count");
                Same(byRule, cells.LongCount(cell => cell.Case.Id == c.Id), $"{where}, planned pairs of case {c.Key} by Cells");
            }
            Same(cells.LongCount(), counts.Total, $"{where}, planned total");
        }
    }

    [Theory, MemberData(nameof(Seeds))]
    public void A_non_directional_case_is_planned_once_per_unordered_pair_smaller_key_first(int seed)
    {
        var random = RandomEvent.Generate(seed);
        foreach (var same in BothWays)
            foreach (var c in random.Cases.Where(c => !c.Directional))
            {
                var counts = Planning.Count([c], random.Products, same);
                var products = counts.Products;
                for (var i = 0; i < products.Count; i++)
                    for (var j = i + 1; j < products.Count; j++)
                    {
                        var (smaller, larger) = (products[i], products[j]);
                        var where = $"{random}, includeSameOrganization {same}, case {c.Key}, {smaller.Key}/{larger.Key}";
                        var eitherOrder = DesignRule.Qualifies(c, smaller, larger, same) || DesignRule.Qualifies(c, larger, smaller, same);
                        Same(eitherOrder ? 1L : 0L, counts.Cells[i, j], where + ", smaller key first");
                        Same(0L, counts.Cells[j, i], where + ", larger key first");
                        Same((smaller, larger), Planning.Stored(c, larger, smaller), where + ", stored order");
                        Same((smaller, larger), Planning.Stored(c, smaller, larger), where + ", stored order");
                    }
            }
    }

    [Theory, MemberData(nameof(Seeds))]
    public void WhyNotCell_is_null_exactly_for_the_cells_that_Cells_yields(int seed)
    {
        var random = RandomEvent.Generate(seed);
        foreach (var same in BothWays)
        {
            var cells = Planning.Cells(random.Cases, random.Products, same)
                .Select(cell => (cell.Case.Id, cell.Initiator.Id, cell.Responder.Id))
                .ToHashSet();
            foreach (var c in random.Cases)
                foreach (var a in random.Products)
                    foreach (var b in random.Products)
                    {
                        var why = Planning.WhyNotCell(c, a, b, same);
                        Assert.True(why is null == cells.Contains((c.Id, a.Id, b.Id)),
                            $"{random}, includeSameOrganization {same}, case {c.Key}, {a.Key}→{b.Key}: " +
                            $"WhyNotCell says '{why ?? "planned"}' but Cells {(cells.Contains((c.Id, a.Id, b.Id)) ? "yields" : "does not yield")} it");
                    }
        }
    }

    [Theory, MemberData(nameof(Seeds))]
    public void Every_cell_and_every_scope_adds_up_to_its_planned_count(int seed)
    {
        var random = RandomEvent.Generate(seed);
        foreach (var same in BothWays)
        {
            var verdicts = random.Verdicts(same);
            foreach (var (scope, cases) in Scopes(random))
            {
                var where = $"{random}, includeSameOrganization {same}, {scope}";
                var ids = cases.Select(c => c.Id).ToHashSet();
                var inScope = verdicts.Where(v => ids.Contains(v.Case.Id)).ToList();
                var planned = Planning.Count(cases, random.Products, same);
                var table = MatrixTable.Build(planned, Logged.CellCounts(inScope));
                var products = table.Products;
                var n = products.Count;

                var total = default(Tally);
                var rows = new Tally[n];
                var columns = new Tally[n];
                for (var i = 0; i < n; i++)
                    for (var j = 0; j < n; j++)
                    {
                        var (a, b) = (products[i], products[j]);
                        var expected = Logged.Tally(cases.LongCount(c => DesignRule.IsCell(c, a, b, same)),
                            inScope.Where(v => v.Initiator.Id == a.Id && v.Responder.Id == b.Id));
                        Same(expected, table.Cells[i, j], $"{where}, cell {a.Key}→{b.Key}");
                        Sound(table.Cells[i, j], $"{where}, cell {a.Key}→{b.Key}");
                        rows[i] += expected;
                        columns[j] += expected;
                        total += expected;
                    }
                for (var i = 0; i < n; i++)
                {
                    Same(rows[i], table.Rows[i], $"{where}, row {products[i].Key}");
                    Sound(table.Rows[i], $"{where}, row {products[i].Key}");
                    Same(columns[i], table.Columns[i], $"{where}, column {products[i].Key}");
                    Sound(table.Columns[i], $"{where}, column {products[i].Key}");
                }
                Same(total, table.Total, $"{where}, total");
                Same(Logged.Tally(planned.Total, inScope), table.Total, $"{where}, total against every verdict of the scope");
                Sound(table.Total, $"{where}, total");
            }
        }
    }

    [Theory, MemberData(nameof(Seeds))]
    public void The_pair_view_is_the_symmetric_sum_of_both_orders_with_the_same_total(int seed)
    {
        var random = RandomEvent.Generate(seed);
        foreach (var same in BothWays)
        {
            var verdicts = random.Verdicts(same);
            foreach (var (scope, cases) in Scopes(random))
            {
                var where = $"{random}, includeSameOrganization {same}, {scope}";
                var ids = cases.Select(c => c.Id).ToHashSet();
                var counts = Logged.CellCounts(verdicts.Where(v => ids.Contains(v.Case.Id)));
                var planned = Planning.Count(cases, random.Products, same);
                var ordered = MatrixTable.Build(planned, counts, MatrixView.Ordered);
                var pair = MatrixTable.Build(planned, counts, MatrixView.Pair);
                var products = pair.Products;
                var n = products.Count;

                for (var i = 0; i < n; i++)
                {
                    var row = default(Tally);
                    for (var j = 0; j < n; j++)
                    {
                        var (a, b) = (products[i], products[j]);
                        var expected = i == j ? ordered.Cells[i, i] : ordered.Cells[i, j] + ordered.Cells[j, i];
                        Same(expected, pair.Cells[i, j], $"{where}, pair cell {a.Key}/{b.Key}");
                        Same(pair.Cells[j, i], pair.Cells[i, j], $"{where}, pair cell {a.Key}/{b.Key} against {b.Key}/{a.Key}");
                        Sound(pair.Cells[i, j], $"{where}, pair cell {a.Key}/{b.Key}");

                        // The pair scope straight from the rule and the verdicts: the cells of both orders.
                        var pairPlanned = i == j ? 0
                            : cases.LongCount(c => DesignRule.IsCell(c, a, b, same)) + cases.LongCount(c => DesignRule.IsCell(c, b, a, same));
                        var pairScope = Logged.Tally(pairPlanned, verdicts.Where(v => ids.Contains(v.Case.Id)
                            && ((v.Initiator.Id == a.Id && v.Responder.Id == b.Id) || (v.Initiator.Id == b.Id && v.Responder.Id == a.Id))));
                        if (i != j) Same(pairScope, pair.Cells[i, j], $"{where}, pair scope {a.Key}/{b.Key}");
                        row += expected;
                    }
                    Same(row, pair.Rows[i], $"{where}, pair row {products[i].Key}");
                    Same(row, pair.Columns[i], $"{where}, pair column {products[i].Key}");
                    Sound(pair.Rows[i], $"{where}, pair row {products[i].Key}");
                }
                Same(ordered.Total, pair.Total, $"{where}, pair total");
            }
        }
    }

    [Theory, MemberData(nameof(Seeds))]
    public void Case_ranking_has_each_case_tally_and_puts_executed_cases_first_by_rate_ascending(int seed)
    {
        var random = RandomEvent.Generate(seed);
        foreach (var same in BothWays)
        {
            var where = $"{random}, includeSameOrganization {same}";
            var verdicts = random.Verdicts(same);
            var passingPairs = Logged.PassingPairs(verdicts);
            var ranking = CaseRanking.Rank(random.Cases, Planning.Count(random.Cases, random.Products, same),
                Logged.CaseCounts(verdicts), passingPairs);

            Assert.Equal(random.Cases.Select(c => c.Id).Order(), ranking.Select(s => s.Case.Id).Order());
            foreach (var statistics in ranking)
            {
                var c = statistics.Case;
                var planned = random.Products.Sum(a => random.Products.LongCount(b => DesignRule.IsCell(c, a, b, same)));
                Same(Logged.Tally(planned, verdicts.Where(v => v.Case.Id == c.Id)), statistics.Tally, $"{where}, case {c.Key}");
                Sound(statistics.Tally, $"{where}, case {c.Key}");
                Same(passingPairs.GetValueOrDefault(c.Id), statistics.PassingPairs, $"{where}, passing pairs of case {c.Key}");
                Assert.True(statistics.PassingPairs <= statistics.Tally.Pass, $"{where}, case {c.Key}: more passing pairs than passes");
            }
            for (var k = 1; k < ranking.Count; k++)
            {
                var (before, after) = (ranking[k - 1].Tally, ranking[k].Tally);
                var at = $"{where}, ranks {k - 1} ({ranking[k - 1].Case.Key}) and {k} ({ranking[k].Case.Key})";
                Assert.False(before.Rate is null && after.Rate is not null, $"{at}: a never-executed case before an executed one");
                if (before.Rate is { } low && after.Rate is { } high)
                {
                    Assert.True(low <= high, $"{at}: rate {low} before {high}");
                    if (low == high) Assert.True(before.Fail >= after.Fail, $"{at}: same rate, {before.Fail} failures before {after.Fail}");
                }
            }
        }
    }

    /// <summary>The event, each technology, plan, section and case as a set of cases.</summary>
    private static IEnumerable<(string Scope, List<PlannedCase> Cases)> Scopes(RandomEvent random)
    {
        yield return ("event", random.Cases.ToList());
        foreach (var g in random.Cases.GroupBy(c => c.Technology, StringComparer.Ordinal))
            yield return ($"technology {g.Key}", g.ToList());
        foreach (var g in random.Cases.GroupBy(c => c.Plan))
            yield return ($"plan {g.Key}", g.ToList());
        foreach (var g in random.Cases.GroupBy(c => (c.Plan, c.Section)))
            yield return ($"plan {g.Key.Plan} section {g.Key.Section}", g.ToList());
        foreach (var c in random.Cases)
            yield return ($"case {c.Plan}/{c.Key}", [c]);
    }

    /// <summary>The identities of DESIGN.md that hold for any tally: nothing negative, rate and progress as defined.</summary>
    private static void Sound(Tally t, string where)
    {
        Assert.True(t.Pass >= 0 && t.Fail >= 0 && t.Na >= 0 && t.Blocked >= 0, $"{where}: negative count in {t}");
        Assert.True(t.Untested >= 0, $"{where}: more verdicts than planned in {t}");
        Same(t.Planned, t.Pass + t.Fail + t.Na + t.Blocked + t.Untested, $"{where}: pass+fail+na+blocked+untested");
        Same(t.Pass + t.Fail, t.Executed, $"{where}: executed");
        Same(t.Executed == 0 ? null : (double?)t.Pass / t.Executed, t.Rate, $"{where}: rate");
        Same(t.Planned == 0 ? null : (double?)(t.Planned - t.Untested) / t.Planned, t.Progress, $"{where}: progress");
    }

    private static void Same<T>(T expected, T actual, string where) =>
        Assert.True(EqualityComparer<T>.Default.Equals(expected, actual), $"{where}: expected {expected}, got {actual}");
}
