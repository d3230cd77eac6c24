using System.Buffers;
using System.Runtime.CompilerServices;
using Dapper;
using InteropTracker.Storage;
using InteropTracker.Engine;
using InteropTracker.Events;
using InteropTracker.Core;
using InteropTracker.Input;
using InteropTracker.Matrix;
using System.Data.Common;

namespace InteropTracker.Reports;

/// <summary>
/// Loads a report's facts: every figure through <see cref="EventNumbers"/> (the functions behind /matrix, /summary and
/// /test-case-stats), names and titles from <see cref="EventPlanning"/>, and the current results as a forward-only
/// stream. Call it inside one read transaction so that every figure and every row come from the same snapshot.
/// </summary>
public static class ReportStore
{
    private sealed record PlanSource
    {
        public long Id { get; init; }
        public string? Source { get; init; }
    }

    public static async Task<ReportFacts> LoadAsync(DbConnection connection, DbTransaction transaction, EventPlanning planning,
        IResultEngine engine)
    {
        var source = planning.ToNumbersSource();
        var tallies = engine.Tallies(snapshot: transaction);
        var summary = await EventNumbers.SummaryAsync(tallies, source);
        var matrices = new List<(string Technology, MatrixTable Table)>();
        foreach (var technology in summary.Technologies)
            matrices.Add((technology.Technology, await EventNumbers.MatrixAsync(tallies, source,
                new Scope(Technology: technology.Technology), MatrixView.Ordered)));
        var statistics = await EventNumbers.CaseStatisticsAsync(tallies, source, Scope.Event);
        var shares = await EventNumbers.AttributeSharesAsync(tallies, source, summary);
        var eventId = planning.Event.Id;
        var sources = (await connection.QueryAsync<PlanSource>($"SELECT id, source FROM test_plans WHERE {Sql.In(connection, "id", "@ids")}",
            new { ids = planning.Plans.Select(p => p.Id).ToArray() }, transaction)).ToDictionary(p => p.Id, p => p.Source ?? "");

        var causes = (await connection.QueryAsync<(long CaseId, string Verdict, string? Cause, long Count)>("""
            SELECT case_id, verdict, cause, count(*) FROM results
            WHERE event_id = @eventId AND verdict IN ('fail', 'blocked') AND retired_at IS NULL
            GROUP BY case_id, verdict, cause
            """, new { eventId }, transaction))
            .Select(c => new CauseCount(c.CaseId, c.Verdict == "fail" ? Verdict.Fail : Verdict.Blocked, c.Cause, c.Count)).ToList();

        var e = planning.Event;
        return new ReportFacts
        {
            Event = new ReportEvent
            {
                Key = e.Key, Name = e.Name, Location = e.Location, Status = e.Status, Published = e.Published,
                IssueUrlTemplate = e.IssueUrlTemplate,
                Provisional = e.IsProvisional,
                StartDate = DateOnly.Parse(e.StartDate, System.Globalization.CultureInfo.InvariantCulture),
                EndDate = DateOnly.Parse(e.EndDate, System.Globalization.CultureInfo.InvariantCulture),
            },
            AnonymizationSecret = e.Secret,
            Products = planning.Participants,
            Cases = planning.Cases.Select(c => planning.Details(c.Id)).ToList(),
            Plans = planning.Plans.Select(p => new ReportPlan
            {
                Plan = p.Plan, Version = p.Version, Title = p.Title, Technology = p.Technology, Source = sources.GetValueOrDefault(p.Id, ""),
                Sections = planning.Cases.Where(c => c.PlanId == p.Id).Select(c => c.Section).Distinct().Count(),
                Cases = (int)p.Cases,
            }).ToList(),
            Summary = summary,
            Matrices = matrices,
            CaseStatistics = statistics,
            Causes = causes,
            AttributeShares = shares,
            Evidence = await EvidenceAsync(connection, transaction, eventId),
            References = await ReferencesAsync(connection, transaction, planning),
            ResultCount = summary.Total.Pass + summary.Total.Fail + summary.Total.Na + summary.Total.Blocked, // every current result, from the tallies
            Results = initiators => StreamAsync(connection, transaction, eventId,
                planning.Cases.Select(c => c.Id).Order().ToList(), initiators),
        };
    }

    /// <summary>
    /// How many evidence files the current results of each case and ordered pair have. One row per group that has any,
    /// so never more rows than the event has evidence files, however many results it holds.
    /// </summary>
    private static async Task<IReadOnlyList<PairEvidence>> EvidenceAsync(DbConnection connection, DbTransaction transaction, long eventId) =>
        (await connection.QueryAsync<PairEvidence>("""
            SELECT r.case_id AS CaseId, r.initiator_id AS InitiatorId, r.responder_id AS ResponderId, count(*) AS Files
            FROM evidence e JOIN results r ON r.id = e.result_id
            WHERE e.event_id = @eventId AND r.event_id = @eventId AND r.retired_at IS NULL
            GROUP BY r.case_id, r.initiator_id, r.responder_id
            """, new { eventId }, transaction)).ToList();

    /// <summary>Each case's references from its plan's stored document (sections[].cases[].references), by case id.</summary>
    private static async Task<IReadOnlyDictionary<long, IReadOnlyList<string>>> ReferencesAsync(DbConnection connection,
        DbTransaction transaction, EventPlanning planning)
    {
        var references = new Dictionary<long, IReadOnlyList<string>>();
        var documents = await connection.QueryAsync<(long Id, string Document)>($"SELECT id, document FROM test_plans WHERE {Sql.In(connection, "id", "@ids")}",
            new { ids = planning.Plans.Select(p => p.Id).ToArray() }, transaction);
        foreach (var (planId, document) in documents)
        {
            var cases = planning.Cases.Where(c => c.PlanId == planId).ToDictionary(c => c.Key, c => c.Id);
            using var json = System.Text.Json.JsonDocument.Parse(document);
            foreach (var section in json.RootElement.GetProperty("sections").EnumerateArray())
                foreach (var testCase in section.GetProperty("cases").EnumerateArray())
                    if (cases.TryGetValue(testCase.GetProperty("id").GetString() ?? "", out var caseId)
                        && testCase.TryGetProperty("references", out var list))
                        references[caseId] = list.EnumerateArray().Select(r => r.GetString() ?? "").ToList();
        }
        return references;
    }

    // Verdict and status come back as the enums' numbers, and the time as an Excel serial date (days since
    // 1899-12-30, which is Julian day 2415018.5), so that a row costs no string allocation beyond its notes.
    private static string Columns(DbConnection connection) => $"""
        SELECT case_id, initiator_id, responder_id,
               CASE verdict WHEN 'pass' THEN 0 WHEN 'fail' THEN 1 WHEN 'na' THEN 2 ELSE 3 END,
               CASE status WHEN 'confirmed' THEN 1 WHEN 'disputed' THEN 2 ELSE 0 END,
               revision, {Sql.OaDate(connection, "updated_at")}
        """;

    // One initiator at a time, through the results' (event, case, initiator, responder) index: for each of the event's
    // cases a seek to that initiator's cells, in case order, then responder; no sort.
    private static string Query(DbConnection connection, IEnumerable<long> caseIds) =>
        $"{Columns(connection)}, notes, issue, status_reason, cause, (SELECT count(*) FROM evidence e WHERE e.result_id = results.id) FROM results " +
        $"WHERE event_id = @eventId AND case_id IN ({string.Join(", ", caseIds)}) AND initiator_id = @initiator AND retired_at IS NULL";

    private const int BatchSize = 512;

    /// <summary>
    /// Reading the rows (SQLite) and writing them (XML, deflate) cost about the same, so the rows are read ahead of the
    /// writer in batches and both cores work. The connection is the reading's alone until it has finished.
    /// </summary>
    private static async IAsyncEnumerable<StoredResult> StreamAsync(DbConnection connection, DbTransaction transaction,
        long eventId, IReadOnlyList<long> caseIds, IReadOnlyList<long> initiators,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var batches = new ReadAhead<(StoredResult[] Rows, int Count)>(4,
            (hand, stop) => ReadAsync(connection, transaction, eventId, caseIds, initiators, hand, stop), ct);
        await foreach (var (rows, count) in batches.ReadAllAsync(ct))
        {
            for (var i = 0; i < count; i++) yield return rows[i];
            ArrayPool<StoredResult>.Shared.Return(rows, clearArray: true);
        }
    }

    private static async Task ReadAsync(DbConnection connection, DbTransaction transaction, long eventId,
        IReadOnlyList<long> caseIds, IReadOnlyList<long> initiators,
        Func<(StoredResult[] Rows, int Count), ValueTask> hand, CancellationToken ct)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = Query(connection, caseIds);
        command.AddParameter("@eventId", eventId);
        var initiator = command.AddParameter("@initiator", 0L);
        var rows = ArrayPool<StoredResult>.Shared.Rent(BatchSize);
        var count = 0;
        foreach (var id in initiators)
        {
            initiator.Value = id;
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (reader.Read())
            {
                rows[count++] = new StoredResult(
                    reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2),
                    (Verdict)reader.GetInt32(3), (ReviewStatus)reader.GetInt32(4), reader.GetInt64(5),
                    DateTime.SpecifyKind(DateTime.FromOADate(reader.GetDouble(6)), DateTimeKind.Utc),
                    reader.IsDBNull(7) ? null : reader.GetString(7),
                    reader.IsDBNull(8) ? null : reader.GetString(8),
                    reader.IsDBNull(9) ? null : reader.GetString(9),
                    reader.IsDBNull(10) ? null : reader.GetString(10),
                    reader.GetInt64(11));
                if (count < BatchSize) continue;
                await hand((rows, count));
                rows = ArrayPool<StoredResult>.Shared.Rent(BatchSize);
                count = 0;
            }
        }
        if (count > 0) await hand((rows, count));
        else ArrayPool<StoredResult>.Shared.Return(rows);
    }
}
