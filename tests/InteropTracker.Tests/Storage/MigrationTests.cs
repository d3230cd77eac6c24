using Dapper;
using InteropTracker.Core;
using InteropTracker.Storage;

namespace InteropTracker.Tests.Storage;

public class MigrationTests
{
    [Fact]
    public void Migrations_apply_in_order_once_and_a_second_start_applies_nothing()
    {
        var file = Path.Combine(Path.GetTempPath(), "interop-tests", $"{Guid.NewGuid():N}.db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var database = new Database($"Data Source={file}");

        var first = Migrations.Apply(database);
        Assert.Equal(Migrations.Available(), first);
        Assert.Equal("0001_initial", first[0]);
        Assert.Empty(Migrations.Apply(database));

        using var connection = database.Open();
        Assert.Equal("wal", connection.ExecuteScalar<string>("PRAGMA journal_mode"));
        Assert.Equal(1L, connection.ExecuteScalar<long>("PRAGMA foreign_keys"));
        Assert.Equal(2L, connection.ExecuteScalar<long>("PRAGMA synchronous")); // FULL
        Assert.Equal(first.Count, connection.ExecuteScalar<long>("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task A_result_logged_before_0005_keeps_every_revision_once_and_its_history_reads_the_same()
    {
        var file = Path.Combine(Path.GetTempPath(), "interop-tests", $"{Guid.NewGuid():N}.db");
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        var database = new Database($"Data Source={file}");
        Migrations.Apply(database, through: "0004_tallies");
        using (var connection = database.Open())
        {
            // The old shape: every revision in result_revisions, the current one too.
            connection.Execute("""
                INSERT INTO organizations (id, key, name, created_at) VALUES (1, 'acme', 'Acme', 'x'), (2, 'globex', 'Globex', 'x');
                INSERT INTO tokens (id, name, role, organization_id, hash, created_at) VALUES (1, 'Ann', 'engineer', 1, 'h1', 'x');
                INSERT INTO products (id, key, organization_id, name, version, kind, created_at)
                VALUES (1, 'acme-phone', 1, 'Phone', '1', 'endpoint', 'x'), (2, 'globex-mcu', 2, 'MCU', '1', 'mcu', 'x');
                INSERT INTO test_plans (id, plan, version, title, technology, content_hash, document, created_at)
                VALUES (1, 'p', '1', 'P', 'SIP', 'h', '{}', 'x');
                INSERT INTO test_cases (id, plan_id, ordinal, section, section_title, case_key, title, priority, directional)
                VALUES (1, 1, 1, 's', 'S', 'C-1', 'Call', 'mandatory', 1);
                INSERT INTO events (id, key, name, start_date, end_date, anonymization_secret, created_at, updated_at)
                VALUES (1, 'e', 'E', '2026-01-01', '2026-01-02', 's', 'x', 'x');
                INSERT INTO results (id, event_id, case_id, initiator_id, responder_id, verdict, notes, revision, updated_at, updated_by)
                VALUES (7, 1, 1, 1, 2, 'pass', 'second', 2, '2026-01-01T10:05:00Z', 1);
                INSERT INTO result_revisions (result_id, revision, verdict, notes, recorded_at, recorded_by)
                VALUES (7, 1, 'fail', 'first', '2026-01-01T10:00:00Z', 1), (7, 2, 'pass', 'second', '2026-01-01T10:05:00Z', 1);
                """);
        }

        Assert.Equal(Migrations.Available().Where(n => string.CompareOrdinal(n, "0004_tallies") > 0), Migrations.Apply(database));

        await using var db = await database.OpenAsync();
        Assert.Equal([1L], db.Query<long>("SELECT revision FROM result_revisions WHERE result_id = 7").ToList());
        var history = await InteropTracker.Verdicts.VerdictStore.HistoryAsync(db, 7);
        Assert.Equal([(2L, "pass", "second", "2026-01-01T10:05:00Z", "Ann"), (1L, "fail", "first", "2026-01-01T10:00:00Z", "Ann")],
            history.Select(r => (r.Revision, r.Verdict, r.Notes, r.RecordedAt, r.RecordedBy)).ToList());
        Assert.Empty(db.Query("SELECT name FROM sqlite_master WHERE name = 'results_event_responder'"));
        Assert.Equal(1L, db.ExecuteScalar<long>("PRAGMA foreign_keys"));
    }
}
