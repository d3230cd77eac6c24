using Dapper;
using InteropTracker.Core;
using InteropTracker.Engine;
using InteropTracker.Storage;
using InteropTracker.Tests.EventResults;
using Microsoft.Extensions.DependencyInjection;

namespace InteropTracker.Tests.Engine;

/// <summary>
/// The engine's door as features meet it: a write is made only while the event still has the stamp its planning was
/// checked against, and a review only of the revision that was read; an import is all its rows or none.
/// </summary>
public sealed class ResultEngineTests(AppFixture app) : IClassFixture<AppFixture>
{
    private sealed record Ids
    {
        public long EventId { get; init; }
        public string Stamp { get; init; } = "";
        public long PlanId { get; init; }
        public long CaseId { get; init; }
        public long A1 { get; init; }
        public long B1 { get; init; }
        public long Admin { get; init; }
    }

    private IResultEngine Engine => app.Services.GetRequiredService<IResultEngine>();

    private async Task<(TestFloor Floor, Ids Ids)> FloorAsync(int seed)
    {
        var floor = await TestFloor.OpenAsync(app, new Build(seed));
        using var db = app.OpenDatabase();
        var ids = db.QuerySingle<Ids>("""
            SELECT e.id AS EventId, e.updated_at AS Stamp, c.plan_id AS PlanId, c.id AS CaseId,
                   (SELECT id FROM products WHERE key = @a1) AS A1, (SELECT id FROM products WHERE key = @b1) AS B1,
                   (SELECT min(id) FROM tokens WHERE role = 'admin') AS Admin
            FROM events e
            JOIN event_plans ep ON ep.event_id = e.id
            JOIN test_cases c ON c.plan_id = ep.plan_id AND c.case_key = @case
            WHERE e.key = @event
            """, new { a1 = floor.A1.Key, b1 = floor.B1.Key, @case = TestFloor.Call, @event = floor.Event });
        return (floor, ids);
    }

    private static VerdictWrite Write(Ids ids, Verdict verdict, string notes) =>
        new(ids.EventId, ids.PlanId, ids.CaseId, ids.A1, ids.B1, verdict, notes, null, ids.Admin, Clock.Now());

    private static Caller Admin(Ids ids) => new(ids.Admin, "first admin", Roles.Admin, null);

    [Fact]
    public async Task A_result_checked_against_an_event_that_changed_since_is_not_written()
    {
        var (floor, ids) = await FloorAsync(7101);

        Assert.Null(await Engine.AppendAsync(Write(ids, Verdict.Pass, "stale"), "2000-01-01T00:00:00.0000000Z"));
        Assert.Equal((0L, 0L), floor.Counts());

        var appended = await Engine.AppendAsync(Write(ids, Verdict.Fail, "current"), ids.Stamp);
        Assert.Equal(1L, appended!.Value.Revision);
        Assert.Equal((1L, 1L), floor.Counts());
    }

    [Fact]
    public async Task An_import_is_not_begun_on_a_stale_stamp_and_leaves_nothing_unless_committed()
    {
        var (floor, ids) = await FloorAsync(7102);

        Assert.Null(await Engine.BeginImportAsync(ids.EventId, "2000-01-01T00:00:00.0000000Z", 4, CancellationToken.None));

        await using (var abandoned = (await Engine.BeginImportAsync(ids.EventId, ids.Stamp, 4, CancellationToken.None))!)
            abandoned.Write(Write(ids, Verdict.Pass, "never committed"));
        Assert.Equal((0L, 0L), floor.Counts());

        await using (var import = (await Engine.BeginImportAsync(ids.EventId, ids.Stamp, 4, CancellationToken.None))!)
        {
            import.Write(Write(ids, Verdict.Fail, "first"));
            import.Write(Write(ids, Verdict.Pass, "second"));
            await import.CommitAsync(new AuditEntry(Admin(ids), "results.import", "test"));
            Assert.Equal((1, 1), (import.Created, import.Revised));
        }
        Assert.Equal((1L, 2L), floor.Counts());
        using var db = app.OpenDatabase();
        Assert.Equal(1L, db.ExecuteScalar<long>("SELECT pass FROM pair_tallies WHERE event_id = @EventId", ids));
        Assert.Equal(0L, db.ExecuteScalar<long>("SELECT fail FROM pair_tallies WHERE event_id = @EventId", ids));
    }

    [Fact]
    public async Task A_review_is_written_only_for_the_revision_read_and_the_event_as_it_was()
    {
        var (floor, ids) = await FloorAsync(7103);
        var logged = await floor.Log(floor.EngineerA, floor.Result(TestFloor.Call, floor.A1, floor.B1));
        var audit = new AuditEntry(Admin(ids), "result.confirm", "test");
        string Status()
        {
            using var db = app.OpenDatabase();
            return db.ExecuteScalar<string>("SELECT status FROM results WHERE id = @Id", logged)!;
        }

        Assert.Equal(ReviewOutcome.ResultChanged,
            await Engine.ReviewAsync(new ResultReview(ids.EventId, logged.Id, logged.Revision + 1, "confirmed", null, ids.Admin), ids.Stamp, audit));
        Assert.Equal(ReviewOutcome.EventChanged,
            await Engine.ReviewAsync(new ResultReview(ids.EventId, logged.Id, logged.Revision, "confirmed", null, ids.Admin),
                "2000-01-01T00:00:00.0000000Z", audit));
        Assert.Equal("reported", Status());

        Assert.Equal(ReviewOutcome.Reviewed,
            await Engine.ReviewAsync(new ResultReview(ids.EventId, logged.Id, logged.Revision, "confirmed", null, ids.Admin), ids.Stamp, audit));
        Assert.Equal("confirmed", Status());
        using var check = app.OpenDatabase();
        Assert.Equal(1L, check.ExecuteScalar<long>("SELECT confirmed FROM case_tallies WHERE event_id = @EventId AND case_id = @CaseId", ids));
        Assert.Equal(1L, check.ExecuteScalar<long>("SELECT count(*) FROM audit_log WHERE action = 'result.confirm' AND subject = 'test'"));
    }
}
