using Dapper;
using InteropTracker.Storage;
using System.Data.Common;

namespace InteropTracker.EventResults;

/// <summary>The newest verdict an organization's engineers logged for a result (any revision, current or replaced).</summary>
public sealed record SideVerdict
{
    public long ResultId { get; init; }
    public long OrganizationId { get; init; }
    public string Verdict { get; init; } = "";
    public string RecordedBy { get; init; } = "";
}

/// <summary>
/// What each side of a pairing last logged for a cell. Both vendors' engineers write the same result, so a later
/// revision silently replaces the other side's verdict: reading every side's newest revision shows where they disagree.
/// </summary>
public static class SideVerdicts
{
    /// <summary>For each of the results, the newest revision each organization logged (revisions by a caller with no organization are left out).</summary>
    public static async Task<IReadOnlyList<SideVerdict>> NewestAsync(DbConnection connection, IReadOnlyCollection<long> resultIds,
        DbTransaction? transaction = null)
    {
        if (resultIds.Count == 0) return [];
        var sql = $"""
            SELECT v.result_id AS ResultId, t.organization_id AS OrganizationId, v.verdict, t.name AS RecordedBy
            FROM {ResultStore.AllRevisions} AS v
                 JOIN tokens t ON t.id = v.recorded_by
            WHERE {Sql.In(connection, "v.result_id", "@resultIds")} AND t.organization_id IS NOT NULL
            ORDER BY v.result_id, v.revision
            """;
        var rows = await connection.QueryAsync<SideVerdict>(sql, new { resultIds }, transaction);
        // Rows come oldest first: the last one kept for each (result, organization) is its newest.
        var newest = new Dictionary<(long, long), SideVerdict>();
        foreach (var row in rows) newest[(row.ResultId, row.OrganizationId)] = row;
        return newest.Values.ToList();
    }
}
