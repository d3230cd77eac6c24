using System.Data.Common;
using System.Diagnostics;
using Dapper;
using InteropTracker.Core;
using InteropTracker.Engine;
using InteropTracker.EventResults;
using InteropTracker.Events;
using InteropTracker.Storage;
using InteropTracker.Tests.EventResults;
using InteropTracker.Tests.Performance;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using Xunit.Abstractions;

namespace InteropTracker.Tests.Engine;

/// <summary>
/// The engine on PostgreSQL where it differs from SQLite's: many writers at once, each in a transaction of its own,
/// keep the tallies exact; an import is all its rows or none; a correction and the writes racing it agree on the
/// event's stamp; the results' version moves with every change of a verdict.
/// </summary>
[Trait("Engine", "Postgres")]
public sealed class PostgresEngineTests(AppFixture app, ITestOutputHelper output) : IClassFixture<AppFixture>
{
    private sealed record Ids
    {
        public long EventId { get; init; }
        public string Stamp { get; init; } = "";
        public long A1 { get; init; }
        public long B1 { get; init; }
        public long Admin { get; init; }
    }

    private readonly record struct Case(long CaseId, long PlanId);

    private readonly record struct Cell(Case Case, long Initiator, long Responder);

    private IResultEngine Engine => app.Services.GetRequiredService<IResultEngine>();

    private async Task<(TestFloor Floor, Ids Ids, Case[] Cases)> FloorAsync(int seed)
    {
        var floor = await TestFloor.OpenAsync(app, new Build(seed));
        using var db = app.OpenDatabase();
        Assert.IsType<NpgsqlConnection>(db);
        var ids = db.QuerySingle<Ids>("""
            SELECT e.id AS EventId, e.updated_at AS Stamp,
                   (SELECT id FROM products WHERE key = @a1) AS A1, (SELECT id FROM products WHERE key = @b1) AS B1,
                   (SELECT min(id) FROM tokens WHERE role = 'admin') AS Admin
            FROM events e WHERE e.key = @event
            """, new { a1 = floor.A1.Key, b1 = floor.B1.Key, @event = floor.Event });
        var cases = db.Query<(long, long)>("""
            SELECT c.id, c.plan_id FROM test_cases c JOIN event_plans ep ON ep.plan_id = c.plan_id
            WHERE ep.event_id = @EventId ORDER BY c.id
            """, ids).Select(c => new Case(c.Item1, c.Item2)).ToArray();
        return (floor, ids, cases);
    }

    /// <summary>Products beside the floor's, as rows: the engine checks no planning, only what the schema holds.</summary>
    private long[] Products(Ids ids, int more, string prefix)
    {
        using var db = app.OpenDatabase();
        var added = db.Query<long>("""
            INSERT INTO products (key, organization_id, name, version, kind, technologies, capabilities, created_at, line)
            SELECT @prefix || g, organization_id, name, version, kind, technologies, capabilities, created_at, @prefix || g
            FROM products, generate_series(1, @more) AS g WHERE id = @A1
            RETURNING id
            """, new { prefix, more, ids.A1 });
        return [ids.A1, ids.B1, .. added];
    }

    private static Cell[] Cells(IEnumerable<Case> cases, long[] products) =>
        (from c in cases from i in products from r in products where i != r select new Cell(c, i, r)).ToArray();

    private static VerdictWrite Write(Ids ids, Cell cell, Verdict verdict, string notes) =>
        new(ids.EventId, cell.Case.PlanId, cell.Case.CaseId, cell.Initiator, cell.Responder, verdict, notes, null, ids.Admin, Clock.Now());

    private static Caller Admin(Ids ids) => new(ids.Admin, "first admin", Roles.Admin, null);

    /// <summary>Each result of the event has its revisions numbered 1 to its current one, none missing and none twice.</summary>
    private static long MisnumberedResults(DbConnection db, Ids ids) => db.ExecuteScalar<long>($"""
        SELECT count(*) FROM (
            SELECT v.result_id, count(*) AS n, count(DISTINCT v.revision) AS distinct_n, max(v.revision) AS top, min(v.revision) AS bottom
            FROM {ResultStore.AllRevisions} AS v JOIN results r ON r.id = v.result_id
            WHERE r.event_id = @EventId
            GROUP BY v.result_id) AS t
        WHERE n <> top OR distinct_n <> n OR bottom <> 1
        """, ids);

    /// <summary>What an import that keeps nothing must leave as it was: the event's results, revisions and tallies.</summary>
    private static string Fingerprint(DbConnection db, Ids ids) => db.QuerySingle<string>($"""
        SELECT COALESCE((SELECT md5(string_agg(id || verdict || revision || status || COALESCE(notes, ''), ',' ORDER BY id))
                         FROM results WHERE event_id = @EventId), '') || '/' ||
               (SELECT count(*) FROM {ResultStore.AllRevisions} AS v JOIN results r ON r.id = v.result_id WHERE r.event_id = @EventId) || '/' ||
               COALESCE((SELECT md5(string_agg(plan_id || '.' || initiator_id || '.' || responder_id || '.' || pass || fail || na || blocked,
                                               ',' ORDER BY plan_id, initiator_id, responder_id))
                         FROM pair_tallies WHERE event_id = @EventId), '') || '/' ||
               COALESCE((SELECT md5(string_agg(case_id || '.' || pass || fail || na || blocked || reported || confirmed || disputed
                                               || passing_pairs, ',' ORDER BY case_id))
                         FROM case_tallies WHERE event_id = @EventId), '')
        """, ids);

    [Fact]
    public async Task Sixty_four_writers_at_once_with_revisions_and_reviews_keep_the_tallies_equal_to_a_recount()
    {
        var (floor, ids, cases) = await FloorAsync(7201);
        // Few cells for many writes, both directions of every pair: writers meet on cells, on pairs and on tally rows.
        var cells = Cells(cases.Take(2), Products(ids, 4, "many-"));
        const int writers = 64, each = 12;
        var reviewed = 0;

        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var n = 0; n < each; n++)
            {
                var cell = cells[random.Next(cells.Length)];
                var appended = await Engine.AppendAsync(Write(ids, cell, (Verdict)random.Next(4), $"writer {w} write {n}"), ids.Stamp);
                Assert.NotNull(appended);
                if (random.Next(3) != 0) continue;
                var status = random.Next(2) == 0 ? "confirmed" : "disputed";
                var outcome = await Engine.ReviewAsync(
                    new ResultReview(ids.EventId, appended.Value.ResultId, appended.Value.Revision, status, "seen", ids.Admin), ids.Stamp,
                    new AuditEntry(Admin(ids), $"result.{status[..^1]}", "many writers", ids.EventId));
                // Another writer may have revised the cell since: then the review is refused, never lost.
                Assert.NotEqual(ReviewOutcome.EventChanged, outcome);
                if (outcome == ReviewOutcome.Reviewed) Interlocked.Increment(ref reviewed);
            }
        })));

        using var db = app.OpenDatabase();
        Assert.True(TallyRecount.AssertTalliesMatchResults(db) >= cells.Length / 2);
        Assert.Equal(writers * each, floor.Counts().Revisions);
        Assert.Equal(0L, MisnumberedResults(db, ids));
        Assert.True(reviewed > 0);
        Assert.Equal(reviewed, db.ExecuteScalar<long>("SELECT count(*) FROM audit_log WHERE subject = 'many writers'"));
        Assert.Equal(writers * each, db.ExecuteScalar<long>("SELECT sum(pass + fail + na + blocked) FROM pair_tallies WHERE event_id = @EventId", ids)
                                     + db.ExecuteScalar<long>("SELECT count(*) FROM result_revisions v JOIN results r ON r.id = v.result_id WHERE r.event_id = @EventId", ids));
    }

    [Fact]
    public async Task An_import_of_twenty_thousand_rows_keeps_them_all_and_a_bad_import_after_it_changes_nothing()
    {
        var (floor, ids, cases) = await FloorAsync(7202);
        // 3 cases × 83 × 82 ordered pairs: more cells than rows.
        var cells = Cells(cases.Take(3), Products(ids, 81, "bulk-"));
        Assert.True(cells.Length >= 19_500);
        for (var c = 0; c < 100; c++) Assert.NotNull(await Engine.AppendAsync(Write(ids, cells[c], Verdict.Pass, "before"), ids.Stamp));

        // 19,500 cells, the first 100 already there, then 500 of them again: revisions within the file, in its order.
        var rows = cells.Take(19_500).Select((cell, i) => Write(ids, cell, (Verdict)(i % 4), $"row {i}"))
            .Concat(cells.Take(500).Select((cell, i) => Write(ids, cell, Verdict.Fail, $"again {i}"))).ToList();
        Assert.Equal(20_000, rows.Count);
        var clock = Stopwatch.StartNew();
        await using (var import = (await Engine.BeginImportAsync(ids.EventId, ids.Stamp, rows.Count, CancellationToken.None))!)
        {
            foreach (var row in rows) import.Write(row);
            Assert.Equal((19_400, 600), (import.Created, import.Revised));
            await import.CommitAsync(new AuditEntry(Admin(ids), "results.import", "twenty thousand", ids.EventId));
        }
        output.WriteLine($"20,000 rows imported in {clock.ElapsedMilliseconds} ms");

        using var db = app.OpenDatabase();
        Assert.Equal((19_500L, 20_100L), floor.Counts());
        Assert.Equal(0L, MisnumberedResults(db, ids));
        Assert.True(TallyRecount.AssertTalliesMatchResults(db) >= 19_500); // the class's other events too
        Assert.Equal("again 0", db.ExecuteScalar<string>("""
            SELECT notes FROM results WHERE event_id = @EventId AND case_id = @CaseId AND initiator_id = @Initiator AND responder_id = @Responder
            """, new { ids.EventId, cells[0].Case.CaseId, cells[0].Initiator, cells[0].Responder }));
        var before = Fingerprint(db, ids);

        // Written and never committed: nothing kept.
        await using (var abandoned = (await Engine.BeginImportAsync(ids.EventId, ids.Stamp, rows.Count, CancellationToken.None))!)
            foreach (var row in rows) abandoned.Write(row with { Verdict = Verdict.Blocked });
        Assert.Equal(before, Fingerprint(db, ids));

        // A row the database refuses (no such case) fails the commit: none of the rows before it is kept.
        await using (var refused = (await Engine.BeginImportAsync(ids.EventId, ids.Stamp, rows.Count, CancellationToken.None))!)
        {
            foreach (var row in rows.Take(5_000)) refused.Write(row with { Verdict = Verdict.Na });
            refused.Write(rows[0] with { CaseId = -1 });
            await Assert.ThrowsAsync<PostgresException>(() => refused.CommitAsync(new AuditEntry(Admin(ids), "results.import", "refused", ids.EventId)));
        }
        Assert.Equal(before, Fingerprint(db, ids));
        Assert.Equal(0L, db.ExecuteScalar<long>("SELECT count(*) FROM audit_log WHERE subject = 'refused'"));

        // Neither left the event held: the next write goes straight in.
        Assert.NotNull(await Engine.AppendAsync(Write(ids, cells[19_999], Verdict.Pass, "after"), ids.Stamp));
        TallyRecount.AssertTalliesMatchResults(db);
    }

    [Fact]
    public async Task A_correction_racing_writes_retires_every_write_that_got_in_and_the_writes_after_it_find_the_stamp_moved()
    {
        var (floor, ids, cases) = await FloorAsync(7203);
        var cells = Cells(cases.Take(2), Products(ids, 6, "race-"));
        var kept = 0;
        var refused = 0;
        // Each writer goes on until the event's stamp has moved under it (bounded, should the correction never come).
        var writers = Enumerable.Range(0, 16).Select(w => Task.Run(async () =>
        {
            var random = new Random(w);
            for (var n = 0; n < 20_000; n++)
            {
                if (await Engine.AppendAsync(Write(ids, cells[random.Next(cells.Length)], (Verdict)random.Next(4), $"{w}.{n}"), ids.Stamp) is null)
                {
                    Interlocked.Increment(ref refused);
                    return;
                }
                Interlocked.Increment(ref kept);
            }
        })).ToList();

        while (Volatile.Read(ref kept) < 50) await Task.Delay(5);
        // A correction as Corrections runs one: hold the event, read its results, retire them all, move the stamp.
        await using (var connection = await app.Services.GetRequiredService<Database>().OpenAsync())
        await using (var transaction = await connection.BeginWriteAsync())
        {
            await connection.ExecuteAsync("UPDATE events SET updated_at = updated_at WHERE id = @EventId", ids, transaction);
            var current = (await connection.QueryAsync<long>("SELECT id FROM results WHERE event_id = @EventId AND retired_at IS NULL", ids,
                transaction)).AsList();
            Assert.True(await Engine.RetireAsync(new Retirement(ids.EventId, current, [], ids.Admin), ids.Stamp, transaction));
            await EventStore.TouchAsync(connection, transaction, ids.EventId, ids.Admin);
            await transaction.CommitAsync();
        }
        await Task.WhenAll(writers);

        using var db = app.OpenDatabase();
        Assert.Equal(16, refused);
        Assert.Equal(kept, floor.Counts().Revisions);
        Assert.Equal(0L, db.ExecuteScalar<long>("SELECT count(*) FROM results WHERE event_id = @EventId AND retired_at IS NULL", ids));
        Assert.Equal(0L, db.ExecuteScalar<long>(
            "SELECT COALESCE(sum(pass + fail + na + blocked), 0) FROM pair_tallies WHERE event_id = @EventId", ids));
        TallyRecount.AssertTalliesMatchResults(db);
    }

    [Fact]
    public async Task The_results_version_moves_with_every_write_of_a_verdict_and_with_a_correction_heard_from_the_database()
    {
        var (_, ids, cases) = await FloorAsync(7204);
        var cells = Cells(cases.Take(1), [ids.A1, ids.B1]);

        var before = await Engine.ResultsVersionAsync();
        var appended = await Engine.AppendAsync(Write(ids, cells[0], Verdict.Pass, "moves it"), ids.Stamp);
        var afterAppend = await Engine.ResultsVersionAsync();
        Assert.True(afterAppend > before);

        await using (var import = (await Engine.BeginImportAsync(ids.EventId, ids.Stamp, 1, CancellationToken.None))!)
        {
            import.Write(Write(ids, cells[1], Verdict.Fail, "imported"));
            await import.CommitAsync(new AuditEntry(Admin(ids), "results.import", "version", ids.EventId));
        }
        Assert.True(await Engine.ResultsVersionAsync() > afterAppend);
        // This instance also hears its own writes announced: let that settle before looking for the next change.
        var afterImport = await QuietVersionAsync();

        // A correction commits in its caller's transaction: this instance hears of it as every other does, on commit.
        await using (var connection = await app.Services.GetRequiredService<Database>().OpenAsync())
        await using (var transaction = await connection.BeginWriteAsync())
        {
            Assert.True(await Engine.RetireAsync(new Retirement(ids.EventId, [appended!.Value.ResultId], [], ids.Admin), ids.Stamp, transaction));
            await transaction.CommitAsync();
        }
        var clock = Stopwatch.StartNew();
        while (await Engine.ResultsVersionAsync() == afterImport && clock.Elapsed < TimeSpan.FromSeconds(1)) await Task.Delay(10);
        Assert.True(await Engine.ResultsVersionAsync() > afterImport);
    }

    private async Task<long> QuietVersionAsync()
    {
        var version = await Engine.ResultsVersionAsync();
        while (true)
        {
            await Task.Delay(300);
            var now = await Engine.ResultsVersionAsync();
            if (now == version) return now;
            version = now;
        }
    }
}
