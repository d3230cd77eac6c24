using Dapper;
using InteropTracker.Core;
using System.Data.Common;

namespace InteropTracker.Tests.Performance;

/// <summary>
/// Recounts the tallies (db/migrations/0002_tallies.sql and its PostgreSQL twin) from the results table, in C# rather than SQL, and compares them with the
/// tallies the app kept. Rows that count nothing (every count back to zero) are the same as no row; retired results
/// (left outside the plan by a correction) count nowhere.
/// </summary>
public static class TallyRecount
{
    private sealed record ResultRow
    {
        public long EventId { get; init; }
        public long PlanId { get; init; }
        public long CaseId { get; init; }
        public long InitiatorId { get; init; }
        public long ResponderId { get; init; }
        public string Verdict { get; init; } = "";
        public string Status { get; init; } = "";
    }

    private sealed record PairRow
    {
        public long EventId { get; init; }
        public long PlanId { get; init; }
        public long InitiatorId { get; init; }
        public long ResponderId { get; init; }
        public long Pass { get; init; }
        public long Fail { get; init; }
        public long Na { get; init; }
        public long Blocked { get; init; }
    }

    private sealed record CaseRow
    {
        public long EventId { get; init; }
        public long CaseId { get; init; }
        public long Pass { get; init; }
        public long Fail { get; init; }
        public long Na { get; init; }
        public long Blocked { get; init; }
        public long Reported { get; init; }
        public long Confirmed { get; init; }
        public long Disputed { get; init; }
        public long PassingPairs { get; init; }
    }

    /// <returns>How many current results the recount covered.</returns>
    public static int AssertTalliesMatchResults(DbConnection db)
    {
        var results = db.Query<ResultRow>("""
            SELECT r.event_id AS EventId, c.plan_id AS PlanId, r.case_id AS CaseId, r.initiator_id AS InitiatorId,
                   r.responder_id AS ResponderId, r.verdict, r.status
            FROM results r JOIN test_cases c ON c.id = r.case_id
            WHERE r.retired_at IS NULL
            """).ToList();

        var expectedPairs = results
            .GroupBy(r => (r.EventId, r.PlanId, r.InitiatorId, r.ResponderId))
            .Select(g => new PairRow
            {
                EventId = g.Key.EventId, PlanId = g.Key.PlanId, InitiatorId = g.Key.InitiatorId, ResponderId = g.Key.ResponderId,
                Pass = g.Count(r => r.Verdict == "pass"), Fail = g.Count(r => r.Verdict == "fail"),
                Na = g.Count(r => r.Verdict == "na"), Blocked = g.Count(r => r.Verdict == "blocked"),
            })
            .OrderBy(r => (r.EventId, r.PlanId, r.InitiatorId, r.ResponderId))
            .ToList();
        var expectedCases = results
            .GroupBy(r => (r.EventId, r.CaseId))
            .Select(g => new CaseRow
            {
                EventId = g.Key.EventId, CaseId = g.Key.CaseId,
                Pass = g.Count(r => r.Verdict == "pass"), Fail = g.Count(r => r.Verdict == "fail"),
                Na = g.Count(r => r.Verdict == "na"), Blocked = g.Count(r => r.Verdict == "blocked"),
                Reported = g.Count(r => r.Status == "reported"), Confirmed = g.Count(r => r.Status == "confirmed"),
                Disputed = g.Count(r => r.Status == "disputed"),
                PassingPairs = g.Where(r => r.Verdict == "pass")
                    .Select(r => (Math.Min(r.InitiatorId, r.ResponderId), Math.Max(r.InitiatorId, r.ResponderId)))
                    .Distinct().Count(),
            })
            .OrderBy(r => (r.EventId, r.CaseId))
            .ToList();

        var keptPairs = db.Query<PairRow>("""
            SELECT event_id AS EventId, plan_id AS PlanId, initiator_id AS InitiatorId, responder_id AS ResponderId,
                   pass, fail, na, blocked
            FROM pair_tallies
            WHERE pass <> 0 OR fail <> 0 OR na <> 0 OR blocked <> 0
            ORDER BY event_id, plan_id, initiator_id, responder_id
            """).ToList();
        var keptCases = db.Query<CaseRow>("""
            SELECT event_id AS EventId, case_id AS CaseId, pass, fail, na, blocked, reported, confirmed, disputed,
                   passing_pairs AS PassingPairs
            FROM case_tallies
            WHERE pass <> 0 OR fail <> 0 OR na <> 0 OR blocked <> 0 OR reported <> 0 OR confirmed <> 0 OR disputed <> 0
                  OR passing_pairs <> 0
            ORDER BY event_id, case_id
            """).ToList();

        Assert.Equal(expectedPairs, keptPairs);
        Assert.Equal(expectedCases, keptCases);
        return results.Count;
    }
}
