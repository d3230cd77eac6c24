using InteropTracker.Core;
using InteropTracker.Matrix;
using InteropTracker.EventResults;

namespace InteropTracker.Tests.Matrix;

public class TallyTests
{
    [Fact]
    public void Untested_executed_rate_and_progress_follow_the_design()
    {
        var tally = new Tally(Planned: 10, Pass: 3, Fail: 1, Na: 2, Blocked: 1);

        Assert.Equal(3, tally.Untested);
        Assert.Equal(4, tally.Executed);
        Assert.Equal(7, tally.Logged);
        Assert.Equal(0.75, tally.Rate);
        Assert.Equal(0.7, tally.Progress);
    }

    [Fact]
    public void Rate_is_null_when_nothing_passed_or_failed_and_progress_when_nothing_is_planned()
    {
        Assert.Null(new Tally(4, 0, 0, 2, 1).Rate);
        Assert.Equal(0.75, new Tally(4, 0, 0, 2, 1).Progress);
        Assert.Equal(0.0, new Tally(4, 0, 3, 0, 0).Rate);
        Assert.Null(default(Tally).Rate);
        Assert.Null(default(Tally).Progress);
        Assert.Equal(0.0, new Tally(5, 0, 0, 0, 0).Progress);
    }

    [Fact]
    public void With_adds_to_the_verdict_it_names_and_plus_adds_every_count()
    {
        var tally = new Tally(9, 0, 0, 0, 0)
            .With(Verdict.Pass).With(Verdict.Fail, 2).With(Verdict.Na, 3).With(Verdict.Blocked);

        Assert.Equal(new Tally(9, 1, 2, 3, 1), tally);
        Assert.Equal(new Tally(10, 2, 2, 3, 1), tally + new Tally(1, 1, 0, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => tally.With((Verdict)9));
    }

    [Fact]
    public void The_matrix_ignores_counts_for_unknown_products_and_for_pairs_with_nothing_planned()
    {
        var phone = Build.Product(1, "phone", organizationId: 1);
        var sbc = Build.Product(2, "sbc", organizationId: 1);
        var mcu = Build.Product(3, "mcu", organizationId: 2);
        var planned = Planning.Count([Build.Case(1, "call-1")], [phone, sbc, mcu], includeSameOrganization: false);

        var table = MatrixTable.Build(planned,
        [
            new CellCount(1, 3, Verdict.Pass, 1),    // phone → mcu: planned
            new CellCount(1, 2, Verdict.Pass, 1),    // phone → sbc: one organization, nothing planned
            new CellCount(99, 3, Verdict.Fail, 1),   // not a participant
            new CellCount(3, 1, Verdict.Blocked, 1), // mcu → phone: planned
        ]);

        Assert.Equal(new Tally(4, 1, 0, 0, 1), table.Total);
        Assert.Equal(default, table.Cells[2, 1]); // phone → sbc (products in key order: mcu, phone, sbc)
    }

    [Fact]
    public void An_event_with_no_participants_or_no_cases_has_an_empty_matrix()
    {
        var empty = MatrixTable.Build(Planning.Count([Build.Case(1, "call-1")], [], false), [], MatrixView.Pair);
        Assert.Empty(empty.Products);
        Assert.Equal(default, empty.Total);

        var phone = Build.Product(1, "phone", organizationId: 1);
        var mcu = Build.Product(2, "mcu", organizationId: 2);
        var noCases = MatrixTable.Build(Planning.Count([], [phone, mcu], false), []);
        Assert.Equal(2, noCases.Products.Count);
        Assert.Equal(default, noCases.Total);
        Assert.Null(noCases.Total.Progress);
    }
}
