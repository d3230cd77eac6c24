using System.Runtime.CompilerServices;
using Dapper;
using InteropTracker.Events;
using InteropTracker.Matrix;
using InteropTracker.Verdicts;
using Microsoft.Data.Sqlite;

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

    public static async Task<ReportFacts> LoadAsync(SqliteConnection connection, SqliteTransaction transaction, EventPlanning planning)
    {
        var source = planning.ToNumbersSource();
        var summary = await EventNumbers.SummaryAsync(connection, source, transaction);
        var matrices = new List<(string Technology, MatrixTable Table)>();
        foreach (var technology in summary.Technologies)
            matrices.Add((technology.Technology, await EventNumbers.MatrixAsync(connection, source,
                new Scope(Technology: technology.Technology), MatrixView.Ordered, transaction)));
        var statistics = await EventNumbers.CaseStatisticsAsync(connection, source, Scope.Event, transaction);
        var eventId = planning.Event.Id;
        var count = await connection.ExecuteScalarAsync<long>(
            "SELECT count(*) FROM results WHERE event_id = @eventId", new { eventId }, transaction);
        var sources = (await connection.QueryAsync<PlanSource>("SELECT id, source FROM test_plans WHERE id IN @ids",
            new { ids = planning.Plans.Select(p => p.Id) }, transaction)).ToDictionary(p => p.Id, p => p.Source ?? "");

        var e = planning.Event;
        return new ReportFacts
        {
            Event = new ReportEvent
            {
                Key = e.Key, Name = e.Name, Location = e.Location, Status = e.Status, Published = e.Published,
                StartDate = DateOnly.Parse(e.StartDate, System.Globalization.CultureInfo.InvariantCulture),
                EndDate = DateOnly.Parse(e.EndDate, System.Globalization.CultureInfo.InvariantCulture),
            },
            AnonymizationSecret = e.Secret,
            Products = planning.Participants.Select(p => new ProductFacts
            {
                Id = p.Id, Key = p.Key, Name = p.Name, Version = p.Version, Kind = p.Kind,
                OrganizationId = p.OrganizationId, OrganizationKey = p.OrganizationKey, OrganizationName = p.OrganizationName,
                Technologies = p.Contender.Technologies.Order(StringComparer.OrdinalIgnoreCase).ToList(),
                Capabilities = p.Contender.Capabilities.Order(StringComparer.Ordinal).ToList(),
            }).ToList(),
            Cases = planning.Cases.Select(c =>
            {
                var details = planning.Details(c.Id);
                return new CaseFacts
                {
                    Id = c.Id, Plan = c.Plan, PlanVersion = details.PlanVersion, Technology = c.Technology, Section = c.Section,
                    SectionTitle = details.SectionTitle, Key = c.Key, Title = details.Title, Priority = details.Priority,
                };
            }).ToList(),
            Plans = planning.Plans.Select(p => new ReportPlan
            {
                Plan = p.Plan, Version = p.Version, Title = p.Title, Technology = p.Technology, Source = sources.GetValueOrDefault(p.Id, ""),
                Sections = planning.Cases.Where(c => c.PlanId == p.Id).Select(c => c.Section).Distinct().Count(),
                Cases = (int)p.Cases,
            }).ToList(),
            Summary = summary,
            Matrices = matrices,
            CaseStatistics = statistics,
            ResultCount = count,
            Results = withText => StreamAsync(connection, transaction, eventId, withText),
        };
    }

    // Verdict and status come back as the enums' numbers, and the time as an Excel serial date (days since
    // 1899-12-30, which is Julian day 2415018.5), so that a row costs no string allocation beyond its notes.
    private const string Columns = """
        SELECT case_id, initiator_id, responder_id,
               CASE verdict WHEN 'pass' THEN 0 WHEN 'fail' THEN 1 WHEN 'na' THEN 2 ELSE 3 END,
               CASE status WHEN 'confirmed' THEN 1 WHEN 'disputed' THEN 2 ELSE 0 END,
               revision, julianday(updated_at) - 2415018.5
        """;

    private const string Order = "FROM results WHERE event_id = @eventId ORDER BY case_id, initiator_id, responder_id";

    private const string Bare = $"{Columns} {Order}";
    private const string WithText = $"{Columns}, notes, issue, status_reason {Order}";

    private static async IAsyncEnumerable<StoredResult> StreamAsync(SqliteConnection connection, SqliteTransaction transaction,
        long eventId, bool withText, [EnumeratorCancellation] CancellationToken ct = default)
    {
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = withText ? WithText : Bare;
        command.Parameters.AddWithValue("@eventId", eventId);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            yield return new StoredResult(
                reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2),
                (Verdict)reader.GetInt32(3), (ReviewStatus)reader.GetInt32(4), reader.GetInt64(5),
                DateTime.SpecifyKind(DateTime.FromOADate(reader.GetDouble(6)), DateTimeKind.Utc),
                withText && !reader.IsDBNull(7) ? reader.GetString(7) : null,
                withText && !reader.IsDBNull(8) ? reader.GetString(8) : null,
                withText && !reader.IsDBNull(9) ? reader.GetString(9) : null);
        }
    }
}
