using Dapper;
using InteropTracker.Core;
using InteropTracker.Storage;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Engine.Sqlite;

/// <summary>
/// The tallies of the current results that carry every given attribute value, counted from the results themselves
/// (their attributes column, compact JSON) on a connection of its own: no tally is kept per attribute, and a filtered
/// figure is asked for far less often than the matrix is watched. Reads only.
/// </summary>
public sealed class SqliteAttributeTallies(SqliteDatabase database, IReadOnlyList<KeyValuePair<string, string>> filters) : ITallies
{
    public Task<IReadOnlyList<CellCount>> PairsAsync(long eventId, IReadOnlyCollection<long> planIds) =>
        Pairs(eventId, "case_id IN (SELECT id FROM test_cases WHERE plan_id IN @ids)", planIds);

    public Task<IReadOnlyList<CellCount>> PairsOfCasesAsync(long eventId, IReadOnlyCollection<long> caseIds) =>
        Pairs(eventId, "case_id IN @ids", caseIds);

    private Task<IReadOnlyList<CellCount>> Pairs(long eventId, string scope, IReadOnlyCollection<long> ids)
    {
        using var connection = database.OpenSqlite();
        var parameters = Parameters(eventId, filters);
        parameters.Add("ids", ids);
        var sql = $"""
            SELECT initiator_id AS InitiatorId, responder_id AS ResponderId, verdict AS Verdict, count(*) AS Count
            FROM results
            WHERE event_id = @eventId AND {scope} AND retired_at IS NULL{Where(filters)}
            GROUP BY initiator_id, responder_id, verdict
            """;
        IReadOnlyList<CellCount> counts = connection.Query<CellRow>(sql, parameters)
            .Select(r => r.ToCount()).ToList();
        return Task.FromResult(counts);
    }

    public Task<IReadOnlyList<CaseTally>> CasesAsync(long eventId)
    {
        using var connection = database.OpenSqlite();
        // A passing pair is unordered: a pass in either direction counts the pair once, as case_tallies keeps it.
        var sql = $"""
            SELECT case_id AS CaseId,
                   sum(verdict = 'pass') AS Pass, sum(verdict = 'fail') AS Fail, sum(verdict = 'na') AS Na,
                   sum(verdict = 'blocked') AS Blocked, sum(status = 'reported') AS Reported,
                   sum(status = 'confirmed') AS Confirmed, sum(status = 'disputed') AS Disputed,
                   count(DISTINCT CASE WHEN verdict = 'pass'
                                       THEN min(initiator_id, responder_id) || '-' || max(initiator_id, responder_id) END) AS PassingPairs
            FROM results
            WHERE event_id = @eventId AND retired_at IS NULL{Where(filters)}
            GROUP BY case_id
            """;
        IReadOnlyList<CaseTally> rows = connection.Query<CaseRow>(sql, Parameters(eventId, filters))
            .Select(r => r.ToTally()).ToList();
        return Task.FromResult(rows);
    }

    public Task<IReadOnlyList<AttributeCount>> AttributesAsync(long eventId)
    {
        using var connection = database.OpenSqlite();
        return Task.FromResult(Attributes(connection, null, eventId, filters));
    }

    /// <summary>How many current results of each case carry each attribute value, per verdict, among those the filters keep.</summary>
    internal static IReadOnlyList<AttributeCount> Attributes(SqliteConnection connection, SqliteTransaction? transaction, long eventId,
        IReadOnlyList<KeyValuePair<string, string>> filters)
    {
        var sql = $"""
            SELECT case_id AS CaseId, a.key AS Name, a.value AS Value, verdict AS Verdict, count(*) AS Count
            FROM results, json_each(results.attributes) AS a
            WHERE event_id = @eventId AND attributes IS NOT NULL AND retired_at IS NULL{Where(filters)}
            GROUP BY case_id, a.key, a.value, verdict
            """;
        return connection.Query<AttributeRow>(sql, Parameters(eventId, filters), transaction)
            .Select(r => r.ToCount()).ToList();
    }

    private static string Where(IReadOnlyList<KeyValuePair<string, string>> filters) =>
        string.Concat(filters.Select((_, i) => $" AND json_extract(attributes, @path{i}) = @value{i}"));

    private static DynamicParameters Parameters(long eventId, IReadOnlyList<KeyValuePair<string, string>> filters)
    {
        var parameters = new DynamicParameters(new { eventId });
        for (var i = 0; i < filters.Count; i++)
        {
            // A quoted JSON path: an attribute name may hold '.' and '-'.
            parameters.Add($"path{i}", $"$.\"{filters[i].Key}\"");
            parameters.Add($"value{i}", filters[i].Value);
        }
        return parameters;
    }
}
