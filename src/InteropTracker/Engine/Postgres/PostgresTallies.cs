using Dapper;
using InteropTracker.Core;
using InteropTracker.Storage;
using Npgsql;

namespace InteropTracker.Engine.Postgres;

/// <summary>
/// The tallies on PostgreSQL: without attribute filters, the ones kept beside the results (pair_tallies, case_tallies);
/// with them, the same counts taken from the current results that carry every filtered value (their attributes column
/// is compact JSON text), since no tally is kept per attribute. Each read on a pooled connection of its own, or inside
/// the read transaction it was given.
/// </summary>
public sealed class PostgresTallies(PostgresDatabase database, NpgsqlTransaction? snapshot, IReadOnlyList<KeyValuePair<string, string>> filters)
    : ITallies
{
    public async Task<IReadOnlyList<CellCount>> PairsAsync(long eventId, IReadOnlyCollection<long> planIds)
    {
        if (filters.Count > 0)
            return await CountedPairsAsync(eventId, "case_id IN (SELECT id FROM test_cases WHERE plan_id = ANY(@ids))", planIds);
        var rows = await ReadAsync((connection, transaction) => connection.QueryAsync<PairRow>("""
            SELECT initiator_id AS InitiatorId, responder_id AS ResponderId, pass, fail, na, blocked
            FROM pair_tallies
            WHERE event_id = @eventId AND plan_id = ANY(@ids)
            """, new { eventId, ids = planIds.ToArray() }, transaction));
        var counts = new List<CellCount>();
        foreach (var row in rows)
        {
            if (row.Pass != 0) counts.Add(new CellCount(row.InitiatorId, row.ResponderId, Verdict.Pass, row.Pass));
            if (row.Fail != 0) counts.Add(new CellCount(row.InitiatorId, row.ResponderId, Verdict.Fail, row.Fail));
            if (row.Na != 0) counts.Add(new CellCount(row.InitiatorId, row.ResponderId, Verdict.Na, row.Na));
            if (row.Blocked != 0) counts.Add(new CellCount(row.InitiatorId, row.ResponderId, Verdict.Blocked, row.Blocked));
        }
        return counts;
    }

    // Counted from the results of the cases, through the (event, case, …) index: no tally is kept per case and pair.
    public Task<IReadOnlyList<CellCount>> PairsOfCasesAsync(long eventId, IReadOnlyCollection<long> caseIds) =>
        CountedPairsAsync(eventId, "case_id = ANY(@ids)", caseIds);

    private async Task<IReadOnlyList<CellCount>> CountedPairsAsync(long eventId, string scope, IReadOnlyCollection<long> ids)
    {
        var parameters = Parameters(eventId);
        parameters.Add("ids", ids.ToArray());
        var rows = await ReadAsync((connection, transaction) => connection.QueryAsync<CellRow>($"""
            SELECT initiator_id AS InitiatorId, responder_id AS ResponderId, verdict AS Verdict, count(*) AS Count
            FROM results
            WHERE event_id = @eventId AND {scope} AND retired_at IS NULL{Where()}
            GROUP BY initiator_id, responder_id, verdict
            """, parameters, transaction));
        return rows.Select(r => r.ToCount()).ToList();
    }

    public async Task<IReadOnlyList<CaseTally>> CasesAsync(long eventId)
    {
        // A passing pair is unordered: a pass in either direction counts the pair once, as case_tallies keeps it.
        var sql = filters.Count == 0
            ? """
              SELECT case_id AS CaseId, pass, fail, na, blocked, reported, confirmed, disputed, passing_pairs AS PassingPairs
              FROM case_tallies
              WHERE event_id = @eventId
              """
            : $"""
              SELECT case_id AS CaseId,
                     count(*) FILTER (WHERE verdict = 'pass') AS Pass, count(*) FILTER (WHERE verdict = 'fail') AS Fail,
                     count(*) FILTER (WHERE verdict = 'na') AS Na, count(*) FILTER (WHERE verdict = 'blocked') AS Blocked,
                     count(*) FILTER (WHERE status = 'reported') AS Reported,
                     count(*) FILTER (WHERE status = 'confirmed') AS Confirmed,
                     count(*) FILTER (WHERE status = 'disputed') AS Disputed,
                     count(DISTINCT (least(initiator_id, responder_id), greatest(initiator_id, responder_id)))
                         FILTER (WHERE verdict = 'pass') AS PassingPairs
              FROM results
              WHERE event_id = @eventId AND retired_at IS NULL{Where()}
              GROUP BY case_id
              """;
        var rows = await ReadAsync((connection, transaction) => connection.QueryAsync<CaseRow>(sql, Parameters(eventId), transaction));
        return rows.Select(r => r.ToTally()).ToList();
    }

    public async Task<IReadOnlyList<AttributeCount>> AttributesAsync(long eventId)
    {
        var rows = await ReadAsync((connection, transaction) => connection.QueryAsync<AttributeRow>($"""
            SELECT case_id AS CaseId, a.key AS Name, a.value AS Value, verdict AS Verdict, count(*) AS Count
            FROM results CROSS JOIN LATERAL jsonb_each_text(results.attributes::jsonb) AS a
            WHERE event_id = @eventId AND attributes IS NOT NULL AND retired_at IS NULL{Where()}
            GROUP BY case_id, a.key, a.value, verdict
            """, Parameters(eventId), transaction));
        return rows.Select(r => r.ToCount()).ToList();
    }

    private string Where() =>
        string.Concat(filters.Select((_, i) => $" AND (attributes::jsonb ->> @name{i}) = @value{i}"));

    private DynamicParameters Parameters(long eventId)
    {
        var parameters = new DynamicParameters(new { eventId });
        for (var i = 0; i < filters.Count; i++)
        {
            parameters.Add($"name{i}", filters[i].Key);
            parameters.Add($"value{i}", filters[i].Value);
        }
        return parameters;
    }

    private async Task<T> ReadAsync<T>(Func<NpgsqlConnection, NpgsqlTransaction?, Task<T>> read)
    {
        if (snapshot is not null) return await read(snapshot.Connection!, snapshot);
        await using var connection = await database.Source.OpenConnectionAsync();
        return await read(connection, null);
    }

    private sealed record PairRow
    {
        public long InitiatorId { get; init; }
        public long ResponderId { get; init; }
        public long Pass { get; init; }
        public long Fail { get; init; }
        public long Na { get; init; }
        public long Blocked { get; init; }
    }
}
