using System.Security.Cryptography;
using System.Text;
using Dapper;
using InteropTracker.Core;
using System.Data.Common;

namespace InteropTracker.Events;

/// <summary>A snapshot as the API lists it (its reports' bytes are served by the report routes).</summary>
public sealed record SnapshotInfo
{
    public long Number { get; init; }
    public string TakenAt { get; init; } = "";

    /// <summary>Whether the event's numbers have changed since it was taken (then it may not be published).</summary>
    public bool Stale { get; init; }

    /// <summary>Whether it is the snapshot the event's publication serves.</summary>
    public bool Published { get; init; }
    public IReadOnlyList<SnapshotFile> Files { get; init; } = [];

    /// <summary>The numbers as they were: event totals and per technology.</summary>
    public SnapshotNumbers? Numbers { get; init; }
}

public sealed record SnapshotFile
{
    /// <summary>full or anonymised.</summary>
    public string Variant { get; init; } = "";

    /// <summary>xlsx or pdf.</summary>
    public string Format { get; init; } = "";
    public string Sha256 { get; init; } = "";
    public long Size { get; init; }
    public string Url { get; init; } = "";
}

/// <summary>What a snapshot freezes of the numbers, besides its reports.</summary>
public sealed record SnapshotNumbers(TallyDto Total, long Reported, long Confirmed, long Disputed,
    IReadOnlyList<SnapshotTechnology> Technologies);

public sealed record SnapshotTechnology(string Technology, TallyDto Tally);

/// <summary>
/// The event's snapshots in the database: numbered, immutable (triggers refuse any change), with what their numbers
/// stood on, so that publishing can tell a snapshot that no longer matches the event.
/// </summary>
public static class EventSnapshots
{
    private sealed record Row
    {
        public long Number { get; init; }
        public string TakenAt { get; init; } = "";
        public string ResultsMark { get; init; } = "";
        public string Numbers { get; init; } = "";
    }

    private sealed record FileRow
    {
        public long Number { get; init; }
        public string Variant { get; init; } = "";
        public string Format { get; init; } = "";
        public string Sha256 { get; init; } = "";
        public long Size { get; init; }
    }

    /// <summary>The event's snapshots, oldest first, each marked stale when the numbers moved on since.</summary>
    public static async Task<IReadOnlyList<SnapshotInfo>> ListAsync(DbConnection connection, EventPlanning planning,
        DbTransaction? transaction = null)
    {
        var id = planning.Event.Id;
        var rows = await connection.QueryAsync<Row>(
            "SELECT number, taken_at AS TakenAt, results_mark AS ResultsMark, numbers FROM event_snapshots WHERE event_id = @id ORDER BY number",
            new { id }, transaction);
        var files = (await connection.QueryAsync<FileRow>(
                "SELECT number, variant, format, sha256, size FROM snapshot_files WHERE event_id = @id ORDER BY number, variant, format",
                new { id }, transaction))
            .ToLookup(f => f.Number);
        var mark = await MarkAsync(connection, planning, transaction);
        var key = Uri.EscapeDataString(planning.Event.Key);
        return rows.Select(r => new SnapshotInfo
        {
            Number = r.Number, TakenAt = r.TakenAt, Stale = r.ResultsMark != mark,
            Published = planning.Event.Published && planning.Event.PublishedSnapshot == r.Number,
            Numbers = System.Text.Json.JsonSerializer.Deserialize<SnapshotNumbers>(r.Numbers, System.Text.Json.JsonSerializerOptions.Web),
            Files = files[r.Number].Select(f => new SnapshotFile
            {
                Variant = f.Variant, Format = f.Format, Sha256 = f.Sha256, Size = f.Size,
                Url = $"/api/events/{key}/snapshots/{r.Number}/report.{f.Format}{(f.Variant == "anonymised" ? "?anonymize=true" : "")}",
            }).ToList(),
        }).ToList();
    }

    /// <summary>
    /// What the event's numbers stand on, as one hash: the pinned plans, the pairing rule, each participant with what it
    /// declares, and the results (how many, and when the last was written or reviewed). Equal marks, equal numbers.
    /// </summary>
    public static async Task<string> MarkAsync(DbConnection connection, EventPlanning planning, DbTransaction? transaction = null)
    {
        var results = await connection.QuerySingleAsync<string>(
            "SELECT count(*) || '|' || COALESCE(max(updated_at), '') || '|' || COALESCE(max(status_at), '') || '|' || COALESCE(max(retired_at), '') FROM results WHERE event_id = @id",
            new { id = planning.Event.Id }, transaction);
        var text = new StringBuilder()
            .Append(planning.Event.IncludeSameOrganization).Append('\n')
            .AppendJoin(',', planning.Plans.Select(p => p.Id)).Append('\n');
        foreach (var p in planning.Participants)
            text.Append(p.Key).Append(':').AppendJoin(';', p.Technologies.Order(StringComparer.OrdinalIgnoreCase))
                .Append(':').AppendJoin(';', p.Capabilities.Order(StringComparer.Ordinal)).Append('\n');
        text.Append(results);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>
    /// The snapshot to publish: the one named, or the latest; a refusal when there is none, it does not exist, or the
    /// numbers moved on since it was taken.
    /// </summary>
    public static async Task<Outcome<long>> ToPublishAsync(DbConnection connection, EventPlanning planning, long? named,
        DbTransaction transaction)
    {
        var key = planning.Event.Key;
        var all = await ListAsync(connection, planning, transaction);
        if (all.Count == 0)
            return Refusal.Conflict($"Event {key} has no snapshot to publish: take one first (POST /api/events/{key}/snapshots, or " +
                                    "\"Take a snapshot\" on its manage page), check its reports, then publish it.");
        var chosen = named is { } n ? all.FirstOrDefault(s => s.Number == n) : all[^1];
        if (chosen is null)
            return Refusal.Unprocessable(new Dictionary<string, string[]>
            {
                ["snapshot"] = [$"Event {key} has no snapshot {named}; it has snapshots {string.Join(", ", all.Select(s => s.Number))}."],
            }, $"There is no snapshot {named} of event {key}.");
        if (chosen.Stale)
            return Refusal.Conflict($"Snapshot {chosen.Number} of event {key} (taken {chosen.TakenAt}) no longer matches the event: its results or " +
                                    "participants changed since. Take a new snapshot and publish that one.");
        return chosen.Number;
    }
}
