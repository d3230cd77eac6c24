using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using InteropTracker.Core;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Engine.Sqlite;

/// <summary>
/// What a run of result writes changes in the tallies kept beside the results (pair_tallies: current verdicts per
/// event, plan and ordered pair; case_tallies: per event and case, with review statuses and distinct passing pairs),
/// gathered in memory and applied with one upsert per touched row: once per write for a single result, once per file
/// for an import. It works in the transaction of the writes, on their connection, and prepares its two upserts once for
/// all the times it applies.
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

    /// <summary>pass, fail, na, blocked: a pair's counts only, for an import gathers tens of thousands of pairs.</summary>
    [InlineArray(4)]
    private struct VerdictCounts
    {
        private long _count;
    }

    private readonly Dictionary<PairKey, VerdictCounts> _pairs = new();
    private readonly Dictionary<CaseKey, Counts> _cases = new();
    private Statement? _pairUpsert;
    private Statement? _caseUpsert;

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
                Run(_pairUpsert, [key.Event, key.Plan, key.Initiator, key.Responder], counts);
            _pairs.Clear();
        }
        if (_cases.Count > 0)
        {
            _caseUpsert ??= Upsert("case_tallies", CaseKeys, CaseCounts);
            foreach (var (key, counts) in _cases)
                Run(_caseUpsert, [key.Event, key.Case], counts);
            _cases.Clear();
        }
    }

    private static void Run(Statement upsert, ReadOnlySpan<long> key, ReadOnlySpan<long> counts)
    {
        if (!counts.ContainsAnyExcept(0)) return;
        for (var k = 0; k < key.Length; k++) upsert.Bind(k + 1, key[k]);
        for (var c = 0; c < counts.Length; c++) upsert.Bind(key.Length + c + 1, counts[c]);
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
