using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using InteropTracker.Core;
using InteropTracker.Engine;
using InteropTracker.Events;
using InteropTracker.Storage;
using InteropTracker.TestPlans;
using System.Data.Common;

namespace InteropTracker.Corrections;

/// <summary>
/// Corrections of an event that is not closed: its name, location, dates, whether same-organization pairs are planned,
/// its pinned plan versions; and withdrawing a participant. Re-pinning a plan to another version keeps the results of
/// the cases whose content did not change (moved to the new version's cases); every result a correction leaves outside
/// the plan is refused (409, listed) unless the caller asks to retire them.
/// </summary>
public static class EventCorrections
{
    public sealed record EventChange
    {
        [StringLength(200)]
        public string? Name { get; init; }

        [StringLength(200)]
        public string? Location { get; init; }

        /// <summary>yyyy-MM-dd</summary>
        public string? StartDate { get; init; }

        /// <summary>yyyy-MM-dd, not before the start.</summary>
        public string? EndDate { get; init; }

        public bool? IncludeSameOrganization { get; init; }

        /// <summary>
        /// Plans to re-pin to the version given (omitted: the version loaded last), or to pin if not pinned yet; the
        /// plans not named stay as they are.
        /// </summary>
        public IReadOnlyList<EventsApi.PlanPin>? Plans { get; init; }

        [JsonExtensionData]
        public Dictionary<string, JsonElement>? Unknown { get; init; }
    }

    /// <summary>
    /// The event as corrected; how many of its results still count (<paramref name="Kept"/>, of which
    /// <paramref name="Moved"/> moved to a re-pinned plan's new version) and how many the correction retired.
    /// </summary>
    public sealed record EventCorrected(EventInfo Event, int Kept, int Moved, int Retired);

    /// <summary>A participant withdrawn, how many results that retired, and who takes part now.</summary>
    public sealed record Withdrawn(string Product, int Retired, IReadOnlyList<ParticipantInfo> Participants);

    private const string Fields = "name, location, startDate, endDate, includeSameOrganization, plans";

    public static async Task<Outcome<EventCorrected>> ChangeAsync(string @event, EventChange body, bool retire, Caller caller,
        Database database, PlanningCache plannings, IResultEngine engine)
    {
        if (Permissions.Refusal(Permission.ManageEvents, caller) is { } refused) return Refusal.Forbidden(refused);
        if (Shape.Unknown(body.Unknown, "an event", Fields) is { } unknown) return unknown;
        if (body is { Name: null, Location: null, StartDate: null, EndDate: null, IncludeSameOrganization: null, Plans: null })
            return Shape.Nothing(Fields);
        var shape = new Dictionary<string, string[]>();
        if (body.Name is { } n && string.IsNullOrWhiteSpace(n)) shape["name"] = ["An event's name cannot be empty."];
        if (body.StartDate is { } s && !IsDate(s)) shape["startDate"] = [NotADate(s)];
        if (body.EndDate is { } e && !IsDate(e)) shape["endDate"] = [NotADate(e)];
        if (shape.Count > 0) return Refusal.Invalid(shape, "Some fields are not filled in as they should be; nothing was changed.");

        await using var connection = await database.OpenAsync();
        await using var transaction = connection.BeginWrite();
        var gate = await EventGate.OpenAsync(connection, plannings, @event, caller, EventNeed.Chair, transaction);
        if (gate.Refusal is { } refusal) return refusal;
        var planning = gate.Value!;
        var row = planning.Event;
        if (row.IsClosed) return Replanning.Closed(@event, "its setup");

        var (start, end) = (body.StartDate ?? row.StartDate, body.EndDate ?? row.EndDate);
        var rules = new Dictionary<string, string[]>();
        if (string.CompareOrdinal(end, start) < 0) rules[body.EndDate is null ? "startDate" : "endDate"] = [$"The event would end ({end}) before it starts ({start})."];
        var pins = await PinsAsync(connection, transaction, planning, body.Plans ?? [], rules);
        if (rules.Count > 0) return Refusal.Unprocessable(rules, $"Event {@event} cannot be changed as given; nothing was changed.");

        var after = new
        {
            name = body.Name?.Trim() ?? row.Name, location = body.Location?.Trim() ?? row.Location, startDate = start, endDate = end,
            includeSameOrganization = body.IncludeSameOrganization ?? row.IncludeSameOrganization,
        };
        var (was, now) = (new Dictionary<string, object>(), new Dictionary<string, object>());
        void Compare(string field, object a, object b)
        {
            if (Equals(a, b)) return;
            was[field] = a;
            now[field] = b;
        }
        Compare("name", row.Name, after.name);
        Compare("location", row.Location, after.location);
        Compare("startDate", row.StartDate, after.startDate);
        Compare("endDate", row.EndDate, after.endDate);
        Compare("includeSameOrganization", row.IncludeSameOrganization, after.includeSameOrganization);
        if (pins.Count > 0)
        {
            was["plans"] = pins.Where(p => p.From is not null).Select(p => new { plan = p.From!.Plan, version = p.From.Version }).ToList();
            now["plans"] = pins.Select(p => new { plan = p.To.Plan, version = p.To.Version }).ToList();
        }
        if (was.Count == 0 && now.Count == 0)
            return new EventCorrected((await EventStore.InfoAsync(connection, @event, caller, transaction))!, await CurrentAsync(connection, transaction, row.Id), 0, 0);

        await connection.ExecuteAsync("""
            UPDATE events SET name = @name, location = @location, start_date = @startDate, end_date = @endDate,
                              include_same_organization = @includeSameOrganization
            WHERE id = @id
            """, new { after.name, after.location, after.startDate, after.endDate, includeSameOrganization = after.includeSameOrganization ? 1 : 0, id = row.Id },
            transaction);
        var moves = new Dictionary<long, long>();
        var changed = new Dictionary<long, string>();
        foreach (var pin in pins)
        {
            if (pin.From is { } from)
            {
                await connection.ExecuteAsync("UPDATE event_plans SET plan_id = @to WHERE event_id = @id AND plan_id = @from",
                    new { to = pin.To.Id, id = row.Id, from = from.Id }, transaction);
                await MatchCasesAsync(connection, transaction, from, pin.To, moves, changed);
            }
            else
            {
                await connection.ExecuteAsync("INSERT INTO event_plans (event_id, plan_id) VALUES (@id, @to)",
                    new { id = row.Id, to = pin.To.Id }, transaction);
            }
        }

        var sorted = await Replanning.SortAsync(connection, transaction, planning, moves, changed);
        if (Replanning.Refusal($"This change of event {@event}", retire, sorted) is { } outside) return outside;
        if (!await Replanning.ApplyAsync(connection, transaction, engine, caller, sorted, $"the correction of event {@event}"))
            return CatalogueCorrections.EventChanged(@event);
        var (kept, moved, retired) = (sorted.Results.Kept, sorted.Results.Moves.Count, sorted.Results.Outside.Count);
        await Audit.RecordAsync(connection, transaction, caller, "event.update",
            $"{@event}: {string.Join(", ", now.Keys)} changed; {kept} results kept ({moved} moved to new plan versions), {retired} retired",
            row.Id, was, now);
        var info = await EventStore.InfoAsync(connection, @event, caller, transaction);
        transaction.Commit();
        plannings.Forget(@event);
        return new EventCorrected(info!, kept, moved, retired);
    }

    public static async Task<Outcome<Withdrawn>> WithdrawAsync(string @event, string product, bool retire, Caller caller,
        Database database, PlanningCache plannings, IResultEngine engine)
    {
        if (Permissions.Refusal(Permission.ManageEvents, caller) is { } refused) return Refusal.Forbidden(refused);
        await using var connection = await database.OpenAsync();
        await using var transaction = connection.BeginWrite();
        var gate = await EventGate.OpenAsync(connection, plannings, @event, caller, EventNeed.Chair, transaction);
        if (gate.Refusal is { } refusal) return refusal;
        var planning = gate.Value!;
        if (planning.Event.IsClosed) return Replanning.Closed(@event, "who takes part");
        if (planning.FindParticipant(product) is not { } participant)
            return Refusal.NotFound($"Product '{product}' does not take part in event {@event}; GET /api/events/{@event}/participants lists who does.");

        await connection.ExecuteAsync("DELETE FROM participants WHERE event_id = @eventId AND product_id = @productId",
            new { eventId = planning.Event.Id, productId = participant.Id }, transaction);
        var sorted = await Replanning.SortAsync(connection, transaction, planning);
        if (Replanning.Refusal($"Withdrawing '{product}' from event {@event}", retire, sorted) is { } outside) return outside;
        if (!await Replanning.ApplyAsync(connection, transaction, engine, caller, sorted, $"the withdrawal of '{product}'"))
            return CatalogueCorrections.EventChanged(@event);
        var retired = sorted.Results.Outside.Count;
        await Audit.RecordAsync(connection, transaction, caller, "event.withdraw", $"{@event}: {product} withdrawn, {retired} results retired",
            planning.Event.Id, new { participant = product }, new { participant = (string?)null, retired });
        transaction.Commit();
        plannings.Forget(@event);
        return new Withdrawn(product, retired, sorted.After.Participants.Select(ParticipantInfo.From).ToList());
    }

    /// <summary>A plan pinned anew (<see cref="From"/> null) or re-pinned from one version to another.</summary>
    private sealed record Pin(PinnedPlan? From, PinnedPlan To);

    private static async Task<List<Pin>> PinsAsync(DbConnection connection, DbTransaction transaction, EventPlanning planning,
        IReadOnlyList<EventsApi.PlanPin> given, Dictionary<string, string[]> rules)
    {
        var pins = new List<Pin>();
        for (var i = 0; i < given.Count; i++)
        {
            var pin = given[i];
            var plan = pin is null ? null : await EventStore.FindPlanAsync(connection, pin.Plan, pin.Version, transaction);
            if (pin is null || string.IsNullOrWhiteSpace(pin.Plan))
                rules[$"plans[{i}]"] = ["Give the plan to pin as {\"plan\": \"…\", \"version\": \"…\"}."];
            else if (plan is null)
                rules[$"plans[{i}]"] = [pin.Version is null || await EventStore.FindPlanAsync(connection, pin.Plan, null, transaction) is null
                    ? $"There is no test plan '{pin.Plan}'; load it first (POST /api/test-plans)."
                    : $"There is no version '{pin.Version}' of test plan '{pin.Plan}'; GET /api/test-plans lists the versions loaded."];
            else if (pins.Any(p => p.To.Plan == plan.Plan))
                rules[$"plans[{i}]"] = [$"Test plan '{plan.Plan}' is named twice; an event pins one version of a plan."];
            else if (planning.FindPlan(plan.Plan) is not { } current)
                pins.Add(new Pin(null, plan));
            else if (current.Id != plan.Id)
                pins.Add(new Pin(current, plan));
        }
        return pins;
    }

    /// <summary>
    /// The cases of <paramref name="from"/> whose content is unchanged in <paramref name="to"/> (the plan's diff), as the
    /// new version's case ids; why the others cannot keep their results.
    /// </summary>
    private static async Task MatchCasesAsync(DbConnection connection, DbTransaction transaction, PinnedPlan from, PinnedPlan to,
        Dictionary<long, long> moves, Dictionary<long, string> changed)
    {
        var before = TestPlanDocument.FromCanonicalJson((await TestPlanStore.FindDocumentAsync(connection, from.Plan, from.Version, transaction))!.Document);
        var after = TestPlanDocument.FromCanonicalJson((await TestPlanStore.FindDocumentAsync(connection, to.Plan, to.Version, transaction))!.Document);
        var diff = TestPlanDiff.Compare(before, after);
        var ids = (await connection.QueryAsync<(long Id, long PlanId, string Key)>(
                "SELECT id, plan_id, case_key FROM test_cases WHERE plan_id IN (@from, @to)", new { from = from.Id, to = to.Id }, transaction))
            .ToLookup(c => c.PlanId);
        var newIds = ids[to.Id].ToDictionary(c => c.Key, c => c.Id, StringComparer.Ordinal);
        var changes = diff.Changed.ToDictionary(c => c.Id, c => string.Join(", ", c.Changes.Select(f => f.Field)), StringComparer.Ordinal);
        foreach (var (id, _, key) in ids[from.Id])
        {
            if (changes.TryGetValue(key, out var fields))
                changed[id] = $"case {key} changed in {to.Plan} version {to.Version} ({fields})";
            else if (!newIds.TryGetValue(key, out var newId))
                changed[id] = $"case {key} is not in {to.Plan} version {to.Version}";
            else
                moves[id] = newId;
        }
    }

    private static async Task<int> CurrentAsync(DbConnection connection, DbTransaction transaction, long eventId) =>
        await connection.ExecuteScalarAsync<int>("SELECT count(*) FROM results WHERE event_id = @eventId AND retired_at IS NULL",
            new { eventId }, transaction);

    private static bool IsDate(string text) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);

    private static string NotADate(string text) => $"'{text}' is not a date; write it as yyyy-MM-dd, like 2026-03-17.";
}
