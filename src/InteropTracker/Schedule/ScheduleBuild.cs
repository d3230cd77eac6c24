using System.Globalization;
using System.Text.Json;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Storage;

namespace InteropTracker.Schedule;

/// <summary>What a chair asks for: the slots, the tables (a count or their names), who is there when, and how long a session is.</summary>
public sealed record ScheduleRequest
{
    public IReadOnlyList<SlotInput?> Slots { get; init => field = value ?? []; } = [];

    /// <summary>How many tables (a number), or their names (["Table A", "Table B"]).</summary>
    public JsonElement Tables { get; init; }

    /// <summary>Products that arrive late (from) or leave early (until); the others are there for every slot.</summary>
    public IReadOnlyList<AvailabilityInput?> Availability { get; init => field = value ?? []; } = [];

    /// <summary>The most cells a session runs; omitted, a pairing runs all its cells in one session.</summary>
    public int? SessionCells { get; init; }
}

public sealed record SlotInput
{
    public DateTimeOffset? Start { get; init; }
    public DateTimeOffset? End { get; init; }
}

public sealed record AvailabilityInput
{
    public string? Product { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? Until { get; init; }
}

/// <summary>
/// Builds an event's timetable from its planned cells that have no verdict yet (<see cref="Timetabling"/> places the
/// sessions), and stores it. Building again re-plans from what is still untested; the sessions of slots already over
/// keep their place.
/// </summary>
public static class ScheduleBuild
{
    private static readonly string[] PriorityOrder = ["mandatory", "recommended", "optional"];

    public static async Task<Outcome<Timetable>> BuildAsync(string @event, ScheduleRequest body, Caller caller, Database database,
        PlanningCache plannings, DateTimeOffset now)
    {
        if (Permissions.Refusal(Permission.BuildSchedule, caller) is { } refused) return Refusal.Forbidden(refused);
        await using var connection = await database.OpenAsync();
        await using var transaction = connection.BeginWrite();
        var gate = await EventGate.OpenAsync(connection, plannings, @event, caller, EventNeed.Chair, transaction);
        if (gate.Refusal is { } refusal) return refusal;
        var planning = gate.Value!;
        if (planning.Event.IsClosed) return EventGate.Closed(@event);

        var errors = new Dictionary<string, string[]>();
        var tables = Tables(body.Tables, errors);
        var slots = Slots(body.Slots, errors);
        var availability = Availability(body.Availability, planning, errors);
        if (body.SessionCells is < 1)
            errors["sessionCells"] = [$"A session runs at least one cell; {body.SessionCells} is not a session length."];

        // A re-plan keeps the slots that are over, with their sessions, exactly as they were built.
        var stored = await ScheduleStore.ReadAsync(connection, planning.Event.Id, transaction);
        var kept = stored?.Slots.Where(s => s.End <= now).ToList() ?? [];
        var open = new List<(DateTimeOffset Start, DateTimeOffset End)>();
        foreach (var (index, start, end) in slots)
        {
            if (kept.Any(k => k.Start == start && k.End == end)) continue;
            if (kept.FirstOrDefault(k => k.Start < end && start < k.End) is { } past)
                errors[$"slots[{index}]"] = [$"It overlaps {Span(past.Start, past.End)}, a slot that is over and keeps its sessions; " +
                                             "give that slot as it was, or slots after it."];
            else open.Add((start, end));
        }
        if (errors.Count > 0)
        {
            var (key, messages) = errors.First();
            var more = errors.Count > 1 ? $" ({errors.Count - 1} more below)" : "";
            return Refusal.Unprocessable(errors, $"The timetable was not built, nothing was stored: {key}: {messages[0]}{more}");
        }

        var tested = await ScheduleStore.TestedCellsAsync(connection, planning.Event.Id, transaction);
        var timetable = Plan(planning, tested, tables, open, kept, stored, availability, body.SessionCells, now, caller.Name);
        await ScheduleStore.SaveAsync(connection, transaction, planning.Event.Id, timetable, caller.TokenId);
        await Audit.RecordAsync(connection, transaction, caller, "schedule.build",
            $"{@event}: {timetable.Sessions.Count} sessions in {timetable.Slots.Count} slots at {tables.Count} tables");
        transaction.Commit();
        return timetable;
    }

    private static IReadOnlyList<string> Tables(JsonElement tables, Dictionary<string, string[]> errors)
    {
        const string how = "give a number of tables (4) or their names ([\"Table A\", \"Table B\"])";
        switch (tables.ValueKind)
        {
            case JsonValueKind.Number when tables.TryGetInt32(out var count) && count is >= 1 and <= 500:
                return Enumerable.Range(1, count).Select(i => $"Table {i}").ToList();
            case JsonValueKind.Number when tables.TryGetInt32(out var count) && count < 1:
                errors["tables"] = [$"A timetable needs at least one table; {count} tables hold no session: {how}."];
                return [];
            case JsonValueKind.Array:
                var names = tables.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.String ? t.GetString()!.Trim() : "").ToList();
                if (names.Count == 0) errors["tables"] = [$"A timetable needs at least one table; the list is empty: {how}."];
                for (var i = 0; i < names.Count; i++)
                    if (names[i].Length is 0 or > 60)
                        errors[$"tables[{i}]"] = ["A table's name is text of 1 to 60 characters."];
                    else if (names.IndexOf(names[i]) < i)
                        errors[$"tables[{i}]"] = [$"Table '{names[i]}' is named twice; each table has its own name."];
                return names;
            default:
                errors["tables"] = [tables.ValueKind == JsonValueKind.Undefined ? $"Say which tables there are: {how}." : $"Not tables: {how} (at most 500)."];
                return [];
        }
    }

    private static List<(int Index, DateTimeOffset Start, DateTimeOffset End)> Slots(IReadOnlyList<SlotInput?> slots,
        Dictionary<string, string[]> errors)
    {
        if (slots.Count == 0) errors["slots"] = ["Give at least one slot: [{\"start\": \"2026-03-17T09:00:00Z\", \"end\": \"2026-03-17T10:00:00Z\"}]."];
        var valid = new List<(int Index, DateTimeOffset Start, DateTimeOffset End)>();
        for (var i = 0; i < slots.Count; i++)
        {
            if (slots[i] is not { Start: { } start, End: { } end })
                errors[$"slots[{i}]"] = ["A slot has a start and an end, as ISO 8601 times (2026-03-17T09:00:00Z)."];
            else if (end <= start)
                errors[$"slots[{i}]"] = [$"It ends ({Time(end)}) before it starts ({Time(start)})."];
            else valid.Add((i, start.ToUniversalTime(), end.ToUniversalTime()));
        }
        var ordered = valid.OrderBy(s => s.Start).ThenBy(s => s.Index).ToList();
        for (var k = 1; k < ordered.Count; k++)
        {
            var (before, after) = (ordered[k - 1], ordered[k]);
            if (after.Start < before.End)
                errors[$"slots[{Math.Max(before.Index, after.Index)}]"] =
                    [$"slots[{before.Index}] ({Span(before.Start, before.End)}) and slots[{after.Index}] ({Span(after.Start, after.End)}) overlap; " +
                     "a product can be at one table at a time, so slots follow one another."];
        }
        return ordered;
    }

    private static Dictionary<string, (DateTimeOffset? From, DateTimeOffset? Until)> Availability(IReadOnlyList<AvailabilityInput?> availability,
        EventPlanning planning, Dictionary<string, string[]> errors)
    {
        var windows = new Dictionary<string, (DateTimeOffset?, DateTimeOffset?)>(StringComparer.Ordinal);
        for (var i = 0; i < availability.Count; i++)
        {
            var key = $"availability[{i}]";
            if (availability[i] is not { Product: { } product } given)
                errors[key] = ["Name the product: {\"product\": \"…\", \"from\": \"…\", \"until\": \"…\"}."];
            else if (planning.FindParticipant(product) is null)
                errors[key] = [$"'{product}' is not a participant of event {planning.Event.Key}; name a registered product."];
            else if (given.From is { } from && given.Until is { } until && until <= from)
                errors[key] = [$"'{product}' would leave ({Time(until)}) before it arrives ({Time(from)})."];
            else if (!windows.TryAdd(product, (given.From?.ToUniversalTime(), given.Until?.ToUniversalTime())))
                errors[key] = [$"'{product}' is given twice; give one arrival and one departure per product."];
        }
        return windows;
    }

    private static string Time(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture);

    private static string Span(DateTimeOffset start, DateTimeOffset end) => $"{Time(start)} to {Time(end)}";

    private sealed record PairCells(Participant A, Participant B, List<SessionCell> Cells, int Mandatory);

    /// <summary>The timetable: the kept slots as they were, the open slots filled from the untested cells.</summary>
    internal static Timetable Plan(EventPlanning planning, IReadOnlySet<(long, long, long)> tested, IReadOnlyList<string> tables,
        IReadOnlyList<(DateTimeOffset Start, DateTimeOffset End)> open, IReadOnlyList<TimetableSlot> kept, Timetable? stored,
        IReadOnlyDictionary<string, (DateTimeOffset? From, DateTimeOffset? Until)> availability, int? sessionCells,
        DateTimeOffset now, string builtBy)
    {
        var pairs = UntestedPairs(planning, tested);
        var products = planning.Participants;
        var index = products.Select((p, i) => (p.Id, i)).ToDictionary(x => x.Id, x => x.i);
        int Sessions(int cells) => sessionCells is { } length ? (cells + length - 1) / length : cells > 0 ? 1 : 0;
        var demands = pairs.Select(p => new PairDemand(index[p.A.Id], index[p.B.Id], Sessions(p.Cells.Count), Sessions(p.Mandatory))).ToList();

        bool There(int slot, int product)
        {
            if (!availability.TryGetValue(products[product].Key, out var window)) return true;
            var (start, end) = open[slot];
            return (window.From is not { } from || start >= from) && (window.Until is not { } until || end <= until);
        }
        var demand = new TimetableDemand(products.Count, demands, open.Count, tables.Count, There);
        var placement = Timetabling.Build(demand);

        var allSlots = kept.Select(k => (k.Start, k.End)).Concat(open).OrderBy(s => s.Start).ToList();
        int Number(DateTimeOffset start) => allSlots.FindIndex(s => s.Start == start) + 1;

        var sessions = new List<TimetableSession>();
        foreach (var session in stored?.Sessions ?? [])
            if (kept.Any(k => k.Start == session.Start && k.End == session.End))
                sessions.Add(session with { Slot = Number(session.Start) });

        var part = new int[pairs.Count];
        for (var s = 0; s < placement.Slots.Count; s++)
        {
            var table = 0;
            foreach (var e in placement.Slots[s])
            {
                var pair = pairs[e];
                var cells = sessionCells is { } length ? pair.Cells.Skip(part[e] * length).Take(length).ToList() : pair.Cells;
                part[e]++;
                sessions.Add(new TimetableSession
                {
                    Slot = Number(open[s].Start), Start = open[s].Start, End = open[s].End, Table = tables[table++],
                    A = pair.A.Key, B = pair.B.Key, Part = part[e], Parts = demands[e].Sessions, Cells = cells,
                });
            }
        }

        var column = tables.Select((name, i) => (name, i)).ToDictionary(x => x.name, x => x.i);
        var unscheduled = new List<UnscheduledPair>();
        for (var e = 0; e < pairs.Count; e++)
        {
            if (placement.Left[e] == 0) continue;
            var left = sessionCells is { } length ? pairs[e].Cells.Skip(part[e] * length).ToList() : pairs[e].Cells;
            unscheduled.Add(new UnscheduledPair(pairs[e].A.Key, pairs[e].B.Key, left.Count, left.Count(c => c.Priority == "mandatory")));
        }

        return new Timetable
        {
            Event = planning.Event.Key, BuiltAt = now, BuiltBy = builtBy, Tables = tables, SessionCells = sessionCells,
            Slots = allSlots.Select((s, i) => new TimetableSlot(i + 1, s.Start, s.End)).ToList(),
            Sessions = sessions.OrderBy(s => s.Start).ThenBy(s => column.GetValueOrDefault(s.Table, tables.Count))
                .ThenBy(s => s.Table, StringComparer.Ordinal).ToList(),
            Unscheduled = unscheduled,
            Figures = new TimetableFigures(demands.Sum(d => d.Sessions), Timetabling.LowerBound(demand, false),
                placement.SlotsUsed(demand, false), demands.Sum(d => d.MandatorySessions), Timetabling.LowerBound(demand, true),
                placement.SlotsUsed(demand, true)),
        };
    }

    /// <summary>
    /// The planned cells without a verdict, per pair of products (A before B by key), each pair's cells in run order:
    /// mandatory, recommended, optional; then by plan, case and direction.
    /// </summary>
    private static List<PairCells> UntestedPairs(EventPlanning planning, IReadOnlySet<(long, long, long)> tested)
    {
        var planOrder = planning.Plans.Select((p, i) => (p.Plan, i)).ToDictionary(x => x.Plan, x => x.i);
        var byPair = new Dictionary<(long, long), List<PlannedCell>>();
        foreach (var cell in Planning.Cells(planning.Cases, planning.Participants, planning.Event.IncludeSameOrganization))
        {
            if (tested.Contains((cell.Case.Id, cell.Initiator.Id, cell.Responder.Id))) continue;
            var key = string.CompareOrdinal(cell.Initiator.Key, cell.Responder.Key) < 0
                ? (cell.Initiator.Id, cell.Responder.Id) : (cell.Responder.Id, cell.Initiator.Id);
            if (!byPair.TryGetValue(key, out var list)) byPair[key] = list = [];
            list.Add(cell);
        }
        return byPair
            .Select(kv =>
            {
                var cells = kv.Value
                    .Select(c => (Cell: c, Details: planning.Details(c.Case.Id)))
                    .OrderBy(c => Rank(c.Details.Priority))
                    .ThenBy(c => planOrder.GetValueOrDefault(c.Cell.Case.Plan))
                    .ThenBy(c => c.Details.Ordinal)
                    .ThenBy(c => c.Cell.Initiator.Key, StringComparer.Ordinal)
                    .Select(c => new SessionCell(c.Cell.Case.Plan, c.Cell.Case.Key, c.Details.Title, c.Cell.Initiator.Key,
                        c.Cell.Responder.Key, c.Details.Priority))
                    .ToList();
                return new PairCells(planning.Participant(kv.Key.Item1), planning.Participant(kv.Key.Item2), cells,
                    cells.Count(c => c.Priority == "mandatory"));
            })
            .OrderBy(p => p.A.Key, StringComparer.Ordinal).ThenBy(p => p.B.Key, StringComparer.Ordinal)
            .ToList();
    }

    private static int Rank(string priority) => Array.IndexOf(PriorityOrder, priority) is var i and >= 0 ? i : PriorityOrder.Length;

    /// <summary>What the caller may read of a timetable: everything, or for an engineer its organization's products' sessions only.</summary>
    public static Timetable VisibleTo(Timetable timetable, Caller caller, EventPlanning planning)
    {
        if (caller.LimitedTo is not { } organization) return timetable;
        bool Own(string product) => planning.FindParticipant(product)?.OrganizationId == organization;
        return timetable with
        {
            Sessions = timetable.Sessions.Where(s => Own(s.A) || Own(s.B)).ToList(),
            Unscheduled = timetable.Unscheduled.Where(u => Own(u.A) || Own(u.B)).ToList(),
        };
    }
}
