using System.Security.Cryptography;
using Dapper;
using InteropTracker.Core;
using InteropTracker.EventResults;
using InteropTracker.Events;
using InteropTracker.Storage;
using System.Data.Common;

namespace InteropTracker.Evidence;

/// <summary>One evidence file of a result, as the API lists it.</summary>
public sealed record EvidenceInfo
{
    /// <summary>Its number within the result, from 1: GET …/evidence/{n}.</summary>
    public long N { get; init; }
    public string Name { get; init; } = "";
    public long Size { get; init; }
    public string Sha256 { get; init; } = "";
    public string AddedAt { get; init; } = "";
    public string? AddedBy { get; init; }
}

/// <summary>Where evidence is kept and how much of it is taken (settings Evidence:MaxFileBytes, QuotaBytesPerEvent, Folder).</summary>
public sealed record EvidenceOptions(long MaxFileBytes, long QuotaBytesPerEvent, string Folder)
{
    public const long DefaultMaxFileBytes = 50L * 1024 * 1024;
    public const long DefaultQuotaBytesPerEvent = 2L * 1024 * 1024 * 1024;

    /// <summary>From the settings; the folder by default beside the database file (data/evidence).</summary>
    public static EvidenceOptions From(IConfiguration configuration, Database database) => new(
        configuration.GetValue("Evidence:MaxFileBytes", DefaultMaxFileBytes),
        configuration.GetValue("Evidence:QuotaBytesPerEvent", DefaultQuotaBytesPerEvent),
        configuration["Evidence:Folder"] is { Length: > 0 } folder
            ? folder
            : Path.Combine(database.DataFolder, "evidence"));
}

/// <summary>
/// Evidence files attached to results: traces, logs, screenshots. The bytes are kept once, named by their SHA-256, under
/// <see cref="EvidenceOptions.Folder"/>; the database says which result holds which file under which name. A file
/// streams through to a temporary file beside its final place (hashed and checked as it passes, never held whole),
/// and only a file that passed every check is moved into place and recorded, so a refused file leaves nothing behind.
/// </summary>
public static class EvidenceFiles
{
    /// <summary>
    /// Files are moved into place and removed under this lock, so that removing a file no result holds any more cannot
    /// race a new result attaching the same bytes; on PostgreSQL also under <see cref="InstanceLock.EvidencePlacing"/>,
    /// since several instances may share the folder. Taken before the write transaction, whose lock comes second, in
    /// the same order wherever both are held.
    /// </summary>
    private static readonly SemaphoreSlim Placing = new(1, 1);

    private const int PieceBytes = 64 * 1024;

    /// <summary>The result as the caller may see its evidence: the event and the result's organizations.</summary>
    private sealed record Holder(EventPlanning Planning, long ResultId);

    /// <summary>
    /// Finds the result for a caller who may see its evidence; anyone else gets the same answer as for a result that
    /// does not exist.
    /// </summary>
    private static async Task<Outcome<Holder>> HolderAsync(DbConnection connection, PlanningCache plannings, string eventKey,
        long resultId, Caller caller)
    {
        var gate = await EventGate.OpenAsync(connection, plannings, eventKey, caller, EventNeed.Read);
        if (gate.Refusal is { } refusal) return refusal;
        var planning = gate.Value!;
        var result = await ResultStore.AuthorshipAsync(connection, planning.Event.Id, resultId);
        if (result is null || Permissions.WhyCannotSeeEvidence(caller, result.InitiatorOrganization, result.ResponderOrganization) is not null)
            return NoSuchResult(eventKey, resultId);
        return new Holder(planning, resultId);
    }

    private static Refusal NoSuchResult(string eventKey, long resultId) =>
        Refusal.NotFound($"Event {eventKey} has no result {resultId} whose evidence you can see.");

    public static async Task<Outcome<IReadOnlyList<EvidenceInfo>>> ListAsync(string eventKey, long resultId, Caller caller,
        Database database, PlanningCache plannings)
    {
        if (Permissions.Refusal(Permission.ReadEvidence, caller) is { } refused) return Refusal.Forbidden(refused);
        await using var connection = await database.OpenAsync();
        var holder = await HolderAsync(connection, plannings, eventKey, resultId, caller);
        if (holder.Refusal is { } refusal) return refusal;
        return (await connection.QueryAsync<EvidenceInfo>($"{Select} WHERE e.result_id = @resultId ORDER BY e.n", new { resultId })).AsList();
    }

    private const string Select = """
        SELECT e.n, e.name, e.size, e.sha256, e.added_at AS AddedAt, t.name AS AddedBy
        FROM evidence e LEFT JOIN tokens t ON t.id = e.added_by
        """;

    /// <summary>A file to send: what it is and where its bytes are.</summary>
    public sealed record Download(EvidenceInfo File, string Path, string MediaType);

    public static async Task<Outcome<Download>> OpenAsync(string eventKey, long resultId, long n, Caller caller, Database database,
        PlanningCache plannings, EvidenceOptions options)
    {
        if (Permissions.Refusal(Permission.ReadEvidence, caller) is { } refused) return Refusal.Forbidden(refused);
        await using var connection = await database.OpenAsync();
        var holder = await HolderAsync(connection, plannings, eventKey, resultId, caller);
        if (holder.Refusal is { } refusal) return refusal;
        var file = await connection.QuerySingleOrDefaultAsync<EvidenceInfo>($"{Select} WHERE e.result_id = @resultId AND e.n = @n",
            new { resultId, n });
        if (file is null) return Refusal.NotFound($"Result {resultId} of event {eventKey} has no evidence file {n}.");
        return new Download(file, Place(options, file.Sha256), EvidenceContent.MediaType(EvidenceContent.ExtensionOf(file.Name) ?? ""));
    }

    /// <summary>
    /// Attaches a file to a result of an open event: its name must be a plain file name of a kind taken, its content what
    /// the extension says, not empty, within the size limit and the event's quota. Nothing is kept unless all hold.
    /// </summary>
    /// <param name="declaredBytes">The length the client declared, when it did: refused at once when over a limit.</param>
    public static async Task<Outcome<EvidenceInfo>> AttachAsync(string eventKey, long resultId, string? fileName, Stream content,
        long? declaredBytes, Caller caller, Database database, PlanningCache plannings, EvidenceOptions options, CancellationToken ct)
    {
        if (Permissions.Refusal(Permission.AttachEvidence, caller) is { } refused) return Refusal.Forbidden(refused);
        Outcome<Holder> holder;
        await using (var connection = await database.OpenAsync(ct))
        {
            holder = await WritableAsync(connection, plannings, eventKey, resultId, caller);
            if (holder.Refusal is { } refusal) return refusal;
            if (EvidenceContent.WhyNotName(fileName) is { } badName) return Refusal.Invalid("file", badName);
            if (declaredBytes > options.MaxFileBytes) return TooLarge(options);
            if (declaredBytes is { } declared && await WhyOverQuotaAsync(connection, holder.Value!.Planning, declared, options) is { } over)
                return Refusal.TooLarge(over);
        }

        Directory.CreateDirectory(Path.Combine(options.Folder, "incoming"));
        var incoming = Path.Combine(options.Folder, "incoming", Guid.NewGuid().ToString("N"));
        try
        {
            var check = EvidenceContent.For(EvidenceContent.ExtensionOf(fileName!)!);
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            long size = 0;
            await using (var file = new FileStream(incoming, FileMode.CreateNew, FileAccess.Write, FileShare.None, PieceBytes,
                             FileOptions.Asynchronous))
            {
                var buffer = new byte[PieceBytes];
                int read;
                while ((read = await content.ReadAsync(buffer, ct)) > 0)
                {
                    size += read;
                    if (size > options.MaxFileBytes) return TooLarge(options);
                    var piece = buffer.AsMemory(0, read);
                    hash.AppendData(piece.Span);
                    check.Write(piece.Span);
                    await file.WriteAsync(piece, ct);
                }
            }
            if (size == 0) return Refusal.Invalid("file", $"{fileName} is empty; attach a file with something in it.");
            if (check.Finish() is { } notWhatItSays) return Refusal.Unprocessable(new Dictionary<string, string[]> { ["file"] = [notWhatItSays] },
                $"{fileName}: {notWhatItSays} Nothing was stored; attach the file under the extension of what it holds.");
            return await KeepAsync(eventKey, resultId, fileName!, incoming, size, Convert.ToHexStringLower(hash.GetHashAndReset()),
                caller, database, plannings, options, ct);
        }
        finally
        {
            File.Delete(incoming);
        }
    }

    private static Refusal TooLarge(EvidenceOptions options) =>
        Refusal.TooLarge($"An evidence file is at most {Megabytes(options.MaxFileBytes)}; nothing was stored. Split or trim the file.");

    private static string Megabytes(long bytes) => $"{bytes / (1024.0 * 1024.0):0.##} MB";

    /// <summary>The result, for a caller who may attach to it: it sees its evidence, logs its pairing, and the event is open.</summary>
    private static async Task<Outcome<Holder>> WritableAsync(DbConnection connection, PlanningCache plannings, string eventKey,
        long resultId, Caller caller, DbTransaction? transaction = null)
    {
        var gate = await EventGate.OpenAsync(connection, plannings, eventKey, caller, EventNeed.Read, transaction);
        if (gate.Refusal is { } refusal) return refusal;
        var planning = gate.Value!;
        var result = await ResultStore.AuthorshipAsync(connection, planning.Event.Id, resultId, transaction);
        if (result is null || Permissions.WhyCannotSeeEvidence(caller, result.InitiatorOrganization, result.ResponderOrganization) is not null)
            return NoSuchResult(eventKey, resultId);
        if (planning.Event.Published)
            return Refusal.Conflict($"Event {eventKey} is published: its evidence is as it was published and takes no change.");
        if (EventGate.Check(planning, eventKey, caller, EventNeed.Write).Refusal is { } notOpen) return notOpen;
        return new Holder(planning, resultId);
    }

    private static async Task<string?> WhyOverQuotaAsync(DbConnection connection, EventPlanning planning, long adding,
        EvidenceOptions options, DbTransaction? transaction = null)
    {
        var used = await connection.ExecuteScalarAsync<long>("SELECT coalesce(sum(size), 0) FROM evidence WHERE event_id = @id",
            new { id = planning.Event.Id }, transaction);
        return used + adding <= options.QuotaBytesPerEvent
            ? null
            : $"Event {planning.Event.Key} holds {Megabytes(used)} of evidence, and its quota is {Megabytes(options.QuotaBytesPerEvent)}: " +
              $"this file ({Megabytes(adding)}) would go over it, so nothing was stored. Remove evidence no longer needed, or ask a chair.";
    }

    /// <summary>Records a checked file and moves it into place, in one transaction that sees the event and quota as they are now.</summary>
    private static async Task<Outcome<EvidenceInfo>> KeepAsync(string eventKey, long resultId, string name, string incoming, long size,
        string sha256, Caller caller, Database database, PlanningCache plannings, EvidenceOptions options, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await Placing.WaitAsync(ct);
        try
        {
            await using var across = await InstanceLock.HoldAsync(connection, InstanceLock.EvidencePlacing, ct);
            await using var transaction = connection.BeginWrite();
            // Read again: the event may have closed, or the quota filled, while the file came in.
            var holder = await WritableAsync(connection, plannings, eventKey, resultId, caller, transaction);
            if (holder.Refusal is { } refusal) return refusal;
            var planning = holder.Value!.Planning;
            if (await WhyOverQuotaAsync(connection, planning, size, options, transaction) is { } over) return Refusal.TooLarge(over);
            var n = await connection.ExecuteScalarAsync<long>("""
                INSERT INTO evidence (event_id, result_id, n, name, sha256, size, added_at, added_by)
                VALUES (@eventId, @resultId, (SELECT coalesce(max(n), 0) + 1 FROM evidence WHERE result_id = @resultId), @name, @sha256,
                        @size, @at, @by)
                RETURNING n
                """, new { eventId = planning.Event.Id, resultId, name, sha256, size, at = Clock.Now(), by = caller.TokenId }, transaction);
            await Audit.RecordAsync(connection, transaction, caller, "evidence.attach",
                $"{eventKey}: result {resultId} evidence {n} {name} ({size} bytes, sha256 {sha256})");
            var place = Place(options, sha256);
            if (!File.Exists(place)) File.Move(incoming, place);
            await transaction.CommitAsync(ct);
            return (await connection.QuerySingleAsync<EvidenceInfo>($"{Select} WHERE e.result_id = @resultId AND e.n = @n",
                new { resultId, n }));
        }
        finally
        {
            Placing.Release();
        }
    }

    /// <summary>
    /// Removes a file from a result, with its audit record; its bytes go only when no other result holds the same file.
    /// </summary>
    public static async Task<Outcome<EvidenceInfo>> RemoveAsync(string eventKey, long resultId, long n, Caller caller, Database database,
        PlanningCache plannings, EvidenceOptions options)
    {
        if (Permissions.Refusal(Permission.AttachEvidence, caller) is { } refused) return Refusal.Forbidden(refused);
        await using var connection = await database.OpenAsync();
        await Placing.WaitAsync();
        try
        {
            await using var across = await InstanceLock.HoldAsync(connection, InstanceLock.EvidencePlacing);
            await using var transaction = connection.BeginWrite();
            var holder = await WritableAsync(connection, plannings, eventKey, resultId, caller, transaction);
            if (holder.Refusal is { } refusal) return refusal;
            var file = await connection.QuerySingleOrDefaultAsync<EvidenceInfo>($"{Select} WHERE e.result_id = @resultId AND e.n = @n",
                new { resultId, n }, transaction);
            if (file is null) return Refusal.NotFound($"Result {resultId} of event {eventKey} has no evidence file {n}.");
            await connection.ExecuteAsync("DELETE FROM evidence WHERE result_id = @resultId AND n = @n", new { resultId, n }, transaction);
            await Audit.RecordAsync(connection, transaction, caller, "evidence.remove",
                $"{eventKey}: result {resultId} evidence {n} {file.Name} ({file.Size} bytes, sha256 {file.Sha256})");
            var held = await connection.ExecuteScalarAsync<long>("SELECT count(*) FROM evidence WHERE sha256 = @Sha256", file, transaction);
            await transaction.CommitAsync();
            if (held == 0) File.Delete(Place(options, file.Sha256));
            return file;
        }
        finally
        {
            Placing.Release();
        }
    }

    /// <summary>Where the bytes of a file are kept.</summary>
    private static string Place(EvidenceOptions options, string sha256) => Path.Combine(options.Folder, sha256);
}
