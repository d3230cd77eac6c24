using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using InteropTracker.Core;
using InteropTracker.Storage;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Matrix;

/// <summary>
/// The tallies kept beside the results (db/migrations/0004_tallies.sql): current verdicts per event, plan and ordered
/// pair (pair_tallies), and per event and case with review statuses and distinct passing pairs (case_tallies).
/// <see cref="EventNumbers"/> reads them instead of counting the results table; the one write path of results and
/// reviews adjusts them through <see cref="TallyChanges"/> in the same transaction as the write.
/// </summary>
public static class Tallies
{
    /// <summary>One row of case_tallies.</summary>
    public readonly record struct CaseTally(long CaseId, long Pass, long Fail, long Na, long Blocked, long Reported, long Confirmed,
        long Disputed, long PassingPairs);

    /// <summary>The current verdicts of each ordered pair in the given plans of the event, one count per pair, plan and verdict.</summary>
    public static List<CellCount> ReadPairs(SqliteConnection connection, SqliteTransaction? transaction, long eventId,
        IReadOnlyCollection<long> planIds)
    {
        var counts = new List<CellCount>();
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT initiator_id, responder_id, pass, fail, na, blocked
            FROM pair_tallies
            WHERE event_id = $event AND plan_id = $plan
            """;
        command.Parameters.AddWithValue("$event", eventId);
        var plan = command.Parameters.Add("$plan", SqliteType.Integer);
        foreach (var planId in planIds)
        {
            plan.Value = planId;
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var (initiator, responder) = (reader.GetInt64(0), reader.GetInt64(1));
                for (var v = 0; v < 4; v++)
                    if (reader.GetInt64(2 + v) is var count and not 0)
                        counts.Add(new CellCount(initiator, responder, (Verdict)v, count));
            }
        }
        return counts;
    }

    /// <summary>Every case_tallies row of the event.</summary>
    public static List<CaseTally> ReadCases(SqliteConnection connection, SqliteTransaction? transaction, long eventId)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            SELECT case_id, pass, fail, na, blocked, reported, confirmed, disputed, passing_pairs
            FROM case_tallies
            WHERE event_id = $event
            """;
        command.Parameters.AddWithValue("$event", eventId);
        var rows = new List<CaseTally>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
            rows.Add(new CaseTally(reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3),
                reader.GetInt64(4), reader.GetInt64(5), reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8)));
        return rows;
    }

    /// <summary>How many current results the event holds, from its case tallies.</summary>
    public static long Results(SqliteConnection connection, SqliteTransaction? transaction, long eventId)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = "SELECT coalesce(sum(pass + fail + na + blocked), 0) FROM case_tallies WHERE event_id = $event";
        command.Parameters.AddWithValue("$event", eventId);
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>
    /// Recounts an event's tallies from its results: for data written around the one write path (a repair, a test's
    /// seed written straight into the results table). The migration that made the tables counts the same way.
    /// </summary>
    public static void Rebuild(SqliteConnection connection, SqliteTransaction? transaction, long eventId)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = """
            DELETE FROM pair_tallies WHERE event_id = $event;
            DELETE FROM case_tallies WHERE event_id = $event;

            INSERT INTO pair_tallies (event_id, plan_id, initiator_id, responder_id, pass, fail, na, blocked)
            SELECT r.event_id, c.plan_id, r.initiator_id, r.responder_id,
                   sum(CASE WHEN r.verdict = 'pass' THEN 1 ELSE 0 END), sum(CASE WHEN r.verdict = 'fail' THEN 1 ELSE 0 END),
                   sum(CASE WHEN r.verdict = 'na' THEN 1 ELSE 0 END), sum(CASE WHEN r.verdict = 'blocked' THEN 1 ELSE 0 END)
            FROM results r JOIN test_cases c ON c.id = r.case_id
            WHERE r.event_id = $event
            GROUP BY r.event_id, c.plan_id, r.initiator_id, r.responder_id;

            INSERT INTO case_tallies (event_id, case_id, pass, fail, na, blocked, reported, confirmed, disputed, passing_pairs)
            SELECT r.event_id, r.case_id,
                   sum(CASE WHEN r.verdict = 'pass' THEN 1 ELSE 0 END), sum(CASE WHEN r.verdict = 'fail' THEN 1 ELSE 0 END),
                   sum(CASE WHEN r.verdict = 'na' THEN 1 ELSE 0 END), sum(CASE WHEN r.verdict = 'blocked' THEN 1 ELSE 0 END),
                   sum(CASE WHEN r.status = 'reported' THEN 1 ELSE 0 END), sum(CASE WHEN r.status = 'confirmed' THEN 1 ELSE 0 END),
                   sum(CASE WHEN r.status = 'disputed' THEN 1 ELSE 0 END),
                   (SELECT count(*) FROM (SELECT DISTINCT CASE WHEN p.initiator_id < p.responder_id THEN p.initiator_id ELSE p.responder_id END,
                                                          CASE WHEN p.initiator_id < p.responder_id THEN p.responder_id ELSE p.initiator_id END
                                          FROM results p
                                          WHERE p.event_id = r.event_id AND p.case_id = r.case_id AND p.verdict = 'pass') AS passing)
            FROM results r
            WHERE r.event_id = $event
            GROUP BY r.event_id, r.case_id;
            """;
        command.Parameters.AddWithValue("$event", eventId);
        command.ExecuteNonQuery();
    }
}

/// <summary>
/// What a run of result writes changes in the tallies, gathered in memory and applied with one upsert per touched row:
/// once per write for a single result, once per file for an import. It works in the transaction of the writes, on
/// their connection, and prepares its two upserts once for all the times it applies.
/// </summary>
public sealed class TallyChanges(SqliteConnection connection) : IDisposable
{
    private const int Reported = 4, Confirmed = 5, Disputed = 6, PassingPairs = 7;

    private static readonly string[] PairKeys = ["event_id", "plan_id", "initiator_id", "responder_id"];
    private static readonly string[] PairCounts = ["pass", "fail", "na", "blocked"];
    private static readonly string[] CaseKeys = ["event_id", "case_id"];
    private static readonly string[] CaseCounts = ["pass", "fail", "na", "blocked", "reported", "confirmed", "disputed", "passing_pairs"];

    private readonly record struct PairKey(long Event, long Plan, long Initiator, long Responder);

    private readonly record struct CaseKey(long Event, long Case);

    /// <summary>pass, fail, na, blocked (the verdicts' order), reported, confirmed, disputed, passing pairs.</summary>
    [InlineArray(8)]
    private struct Counts
    {
        private long _count;
    }

    private readonly Dictionary<PairKey, Counts> _pairs = new();
    private readonly Dictionary<CaseKey, Counts> _cases = new();
    private Statement? _pairUpsert;
    private Statement? _caseUpsert;

    public bool IsEmpty => _pairs.Count == 0 && _cases.Count == 0;

    /// <summary>
    /// A result's write, all at once: its verdict and review status change (from null: a new result), and the case
    /// gains or loses <paramref name="passingPairs"/> pairs with a pass. One look-up per tally row.
    /// </summary>
    public void Write(long eventId, long planId, long caseId, long initiatorId, long responderId, Verdict? fromVerdict,
        string? fromStatus, Verdict toVerdict, string toStatus, int passingPairs)
    {
        ref var pair = ref CollectionsMarshal.GetValueRefOrAddDefault(_pairs, new PairKey(eventId, planId, initiatorId, responderId), out _);
        ref var @case = ref CollectionsMarshal.GetValueRefOrAddDefault(_cases, new CaseKey(eventId, caseId), out _);
        if (fromVerdict is { } old)
        {
            pair[(int)old]--;
            @case[(int)old]--;
        }
        pair[(int)toVerdict]++;
        @case[(int)toVerdict]++;
        if (fromStatus != toStatus)
        {
            if (fromStatus is not null) @case[StatusIndex(fromStatus)]--;
            @case[StatusIndex(toStatus)]++;
        }
        @case[PassingPairs] += passingPairs;
    }

    /// <summary>A result's review status changes (null: the result is new).</summary>
    public void Status(long eventId, long caseId, string? from, string to)
    {
        if (from == to) return;
        ref var @case = ref CollectionsMarshal.GetValueRefOrAddDefault(_cases, new CaseKey(eventId, caseId), out _);
        if (from is not null) @case[StatusIndex(from)]--;
        @case[StatusIndex(to)]++;
    }

    private static int StatusIndex(string status) => status switch
    {
        "reported" => Reported,
        "confirmed" => Confirmed,
        "disputed" => Disputed,
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "not a review status"),
    };

    /// <summary>Adds the gathered changes to the tallies and forgets them.</summary>
    public void Apply()
    {
        if (_pairs.Count > 0)
        {
            _pairUpsert ??= Upsert("pair_tallies", PairKeys, PairCounts);
            foreach (var (key, counts) in _pairs)
                Run(_pairUpsert, [key.Event, key.Plan, key.Initiator, key.Responder], counts, PairCounts.Length);
            _pairs.Clear();
        }
        if (_cases.Count > 0)
        {
            _caseUpsert ??= Upsert("case_tallies", CaseKeys, CaseCounts);
            foreach (var (key, counts) in _cases)
                Run(_caseUpsert, [key.Event, key.Case], counts, CaseCounts.Length);
            _cases.Clear();
        }
    }

    private static void Run(Statement upsert, ReadOnlySpan<long> key, Counts counts, int columns)
    {
        var any = false;
        for (var c = 0; c < columns; c++) any |= counts[c] != 0;
        if (!any) return;
        for (var k = 0; k < key.Length; k++) upsert.Bind(k + 1, key[k]);
        for (var c = 0; c < columns; c++) upsert.Bind(key.Length + c + 1, counts[c]);
        upsert.Run();
    }

    private Statement Upsert(string table, string[] keys, string[] columns)
    {
        var all = keys.Concat(columns).ToList();
        return new Statement(connection, $"""
            INSERT INTO {table} ({string.Join(", ", all)}) VALUES ({string.Join(", ", all.Select((_, i) => $"?{i + 1}"))})
            ON CONFLICT ({string.Join(", ", keys)}) DO UPDATE SET
            {string.Join(", ", columns.Select(c => $"{c} = {table}.{c} + excluded.{c}"))}
            """);
    }

    public void Dispose()
    {
        _pairUpsert?.Dispose();
        _caseUpsert?.Dispose();
    }
}
