using System.ComponentModel.DataAnnotations;
using System.Globalization;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace InteropTracker.Events;

/// <summary>
/// The /api/events routes: chairs set up events with pinned plan versions, register participants and move the
/// status forward; every role reads, engineers only the events their organization takes part in (others answer 404).
/// </summary>
public static class EventsApi
{
    public sealed record PlanPin
    {
        [Required]
        public string Plan { get; init; } = "";

        /// <summary>The version to pin; omitted, the version loaded last.</summary>
        public string? Version { get; init; }
    }

    public sealed record NewEvent
    {
        [Required, StringLength(Vocabulary.MaxKeyLength), RegularExpression(Vocabulary.KeyPattern, ErrorMessage = Vocabulary.KeyMessage)]
        public string Key { get; init; } = "";

        [Required, StringLength(200)]
        public string Name { get; init; } = "";

        [StringLength(200)]
        public string Location { get; init; } = "";

        /// <summary>yyyy-MM-dd</summary>
        [Required]
        public string StartDate { get; init; } = "";

        /// <summary>yyyy-MM-dd, not before the start.</summary>
        [Required]
        public string EndDate { get; init; } = "";

        public IReadOnlyList<PlanPin> Plans { get; init => field = value ?? []; } = [];

        /// <summary>Whether two products of the same organization are paired too.</summary>
        public bool IncludeSameOrganization { get; init; }

        /// <summary>An http or https URL with {issue} where a result's issue reference goes, such as https://bugs.example/{issue}.</summary>
        [StringLength(IssueLinks.MaxLength)]
        public string? IssueUrlTemplate { get; init; }
        /// <summary>
        /// Optional: until when (ISO-8601 with its offset, such as 2026-03-20T18:00:00Z) vendors review their results
        /// once the event is closed; it may not be published before.
        /// </summary>
        public string? ReviewUntil { get; init; }
    }

    public sealed record NewParticipants
    {
        /// <summary>Product keys; those already registered are left as they are.</summary>
        [Required, MinLength(1)]
        public IReadOnlyList<string> Products { get; init; } = [];
    }

    public sealed record ParticipantsAdded(IReadOnlyList<string> Added, IReadOnlyList<string> AlreadyRegistered,
        IReadOnlyList<ParticipantInfo> Participants);

    public sealed record StatusChange
    {
        /// <summary>open or closed: an event moves draft → open → closed, never back.</summary>
        [Required]
        public string Status { get; init; } = "";

        /// <summary>Only a closed event is published; omitted, the event keeps its flag (a reopened event its publication too).</summary>
        public bool? Published { get; init; }

        /// <summary>The snapshot to publish (POST …/snapshots takes one); omitted, the latest.</summary>
        public long? Snapshot { get; init; }

        /// <summary>
        /// Sets the review window's end (ISO-8601 with its offset, such as 2026-03-20T18:00:00Z); an empty string removes
        /// it; omitted, it stays as it is.
        /// </summary>
        public string? ReviewUntil { get; init; }
    }

    public static IEndpointRouteBuilder MapEvents(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/events").WithTags("Events").Performs(Permission.ReadEvents);
        read.MapGet("/", List).WithName("ListEvents")
            .WithSummary("The events the caller may see (an engineer: those its organization takes part in), newest first.");
        read.MapGet("/{event}", Get).WithName("GetEvent").WithSummary("One event with its pinned plans.");
        read.MapGet("/{event}/participants", ListParticipants).WithName("ListParticipants")
            .WithSummary("The event's participants with their organization, technologies and capabilities.");

        var chair = app.MapGroup("/api/events").WithTags("Events").Performs(Permission.ManageEvents);
        chair.MapPost("/", Create).WithName("CreateEvent")
            .WithSummary("Set up an event in draft with pinned test-plan versions. A key already taken answers 409.");
        chair.MapPost("/{event}/participants", AddParticipants).WithName("AddParticipants")
            .WithSummary("Register products in the event; those already registered are left as they are.");
        chair.MapPost("/{event}/status", ChangeStatus).WithName("ChangeEventStatus")
            .WithSummary("Open or close the event (draft → open → closed, never back), and publish it once closed.");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<EventInfo>>> List(HttpContext context, Database database)
    {
        await using var connection = await database.OpenAsync();
        return TypedResults.Ok(await EventStore.ListAsync(connection, context.Caller()));
    }

    private static async Task<Results<Ok<EventInfo>, ProblemHttpResult>> Get(string @event, HttpContext context, Database database)
    {
        await using var connection = await database.OpenAsync();
        return await EventStore.InfoAsync(connection, @event, context.Caller()) is { } info
            ? TypedResults.Ok(info)
            : Problems.Of(EventGate.NoSuchEvent(@event));
    }

    private static async Task<Results<Created<EventInfo>, ProblemHttpResult>> Create(NewEvent body, HttpContext context,
        Database database) =>
        Problems.Created(await CreateAsync(body, context.Caller(), database), info => $"/api/events/{info.Key}");

    /// <summary>Sets up an event in draft with its pinned plan versions.</summary>
    public static async Task<Outcome<EventInfo>> CreateAsync(NewEvent body, Caller caller, Database database)
    {
        if (Permissions.Refusal(Permission.ManageEvents, caller) is { } refused) return Refusal.Forbidden(refused);
        var shape = new Dictionary<string, string[]>();
        var start = ParseDate(body.StartDate, "startDate", shape);
        var end = ParseDate(body.EndDate, "endDate", shape);
        var reviewUntil = ParseTime(body.ReviewUntil, "reviewUntil", shape);
        if (shape.Count > 0) return Refusal.Invalid(shape, "Some dates are not dates.");
        if (IssueLinks.WhyNot(body.IssueUrlTemplate) is { } badTemplate) return Refusal.Invalid("issueUrlTemplate", badTemplate);

        var rules = new Dictionary<string, string[]>();
        if (end < start) rules["endDate"] = [$"The event ends ({body.EndDate}) before it starts ({body.StartDate})."];
        if (body.Plans.Count == 0) rules["plans"] = ["An event pins at least one test plan: give [{\"plan\": \"…\", \"version\": \"…\"}]."];

        await using var connection = await database.OpenAsync();
        await using var transaction = connection.BeginWrite();
        var pinned = new List<PinnedPlan>();
        for (var i = 0; i < body.Plans.Count; i++)
        {
            var pin = body.Plans[i];
            var plan = pin is null ? null : await EventStore.FindPlanAsync(connection, pin.Plan, pin.Version, transaction);
            if (pin is null)
                rules[$"plans[{i}]"] = ["Give the plan to pin as {\"plan\": \"…\", \"version\": \"…\"}."];
            else if (plan is null)
                rules[$"plans[{i}]"] = [pin.Version is null
                    ? $"There is no test plan '{pin.Plan}'; load it first (POST /api/test-plans)."
                    : $"There is no version '{pin.Version}' of test plan '{pin.Plan}'."];
            else if (pinned.FirstOrDefault(p => p.Plan == plan.Plan) is { } twice)
                rules[$"plans[{i}]"] = [$"Test plan '{plan.Plan}' is already pinned (version {twice.Version}); an event pins one version of a plan."];
            else
                pinned.Add(plan);
        }
        if (rules.Count > 0) return Refusal.Unprocessable(rules, "The event cannot be set up as given.");

        var eventId = await EventStore.InsertAsync(connection, transaction, body.Key, body.Name.Trim(), body.Location.Trim(), body.StartDate,
            body.EndDate, body.IncludeSameOrganization, pinned.Select(p => p.Id), caller.TokenId,
            string.IsNullOrWhiteSpace(body.IssueUrlTemplate) ? null : body.IssueUrlTemplate.Trim(), reviewUntil);
        await Audit.RecordAsync(connection, transaction, caller, "event.create", body.Key, eventId);
        var info = await EventStore.InfoAsync(connection, body.Key, caller, transaction);
        transaction.Commit();
        return info!;
    }

    /// <summary>A point in time as the database stores it (UTC), from ISO-8601 with an offset; null for none (null or empty).</summary>
    private static string? ParseTime(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        if (DateTimeOffset.TryParseExact(text.Trim(), ["yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK"],
                CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
            return Clock.Format(time.UtcDateTime);
        errors[field] = [$"'{text}' is not a time with its offset; write it as 2026-03-20T18:00:00Z (UTC) or 2026-03-20T19:00:00+01:00."];
        return null;
    }

    private static DateOnly ParseDate(string text, string field, Dictionary<string, string[]> errors)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        errors[field] = [$"'{text}' is not a date; write it as yyyy-MM-dd, like 2026-03-17."];
        return default;
    }

    private static async Task<Results<Ok<IReadOnlyList<ParticipantInfo>>, ProblemHttpResult>> ListParticipants(
        string @event, HttpContext context, Database database, PlanningCache plannings)
    {
        await using var connection = await database.OpenAsync();
        var gate = await EventGate.OpenAsync(connection, plannings, @event, context.Caller(), EventNeed.Read);
        if (gate.Refusal is { } refusal) return Problems.Of(refusal);
        return TypedResults.Ok<IReadOnlyList<ParticipantInfo>>(gate.Value!.Participants.Select(ParticipantInfo.From).ToList());
    }

    private static async Task<Results<Ok<ParticipantsAdded>, ProblemHttpResult>> AddParticipants(string @event,
        NewParticipants body, HttpContext context, Database database, PlanningCache plannings) =>
        Problems.Ok(await AddParticipantsAsync(@event, body, context.Caller(), database, plannings));

    /// <summary>Registers the products in the event; those already registered are left as they are.</summary>
    public static async Task<Outcome<ParticipantsAdded>> AddParticipantsAsync(string @event, NewParticipants body, Caller caller,
        Database database, PlanningCache plannings)
    {
        await using var connection = await database.OpenAsync();
        await using var transaction = connection.BeginWrite();
        var gate = await EventGate.OpenAsync(connection, plannings, @event, caller, EventNeed.Chair, transaction);
        if (gate.Refusal is { } refusal) return refusal;
        var row = gate.Value!.Event;
        if (row.IsClosed) return EventGate.Closed(@event);

        var ids = await EventStore.FindProductIdsAsync(connection, body.Products, transaction);
        var unknown = new Dictionary<string, string[]>();
        for (var i = 0; i < body.Products.Count; i++)
            if (body.Products[i] is not { } key || !ids.ContainsKey(key))
                unknown[$"products[{i}]"] = [$"There is no product with key '{body.Products[i]}'; register it first (POST /api/products)."];
        if (unknown.Count > 0) return Refusal.Unprocessable(unknown, "Some products are unknown; nothing was registered.");

        var products = body.Products.Distinct(StringComparer.Ordinal).Select(k => (ids[k], k)).ToList();
        var added = await EventStore.AddParticipantsAsync(connection, transaction, row.Id, products, caller.TokenId);
        if (added.Count > 0)
            await Audit.RecordAsync(connection, transaction, caller, "event.participants", $"{@event}: {string.Join(", ", added)}", row.Id);
        // Read again in the transaction that changed it (the event's stamp moved): remembered for the requests after.
        var planning = await plannings.GetAsync(connection, @event, transaction);
        transaction.Commit();
        return new ParticipantsAdded(added, products.Select(p => p.k).Except(added).ToList(),
            planning!.Participants.Select(ParticipantInfo.From).ToList());
    }

    private static async Task<Results<Ok<EventInfo>, ProblemHttpResult>> ChangeStatus(string @event, StatusChange body,
        HttpContext context, Database database, PlanningCache plannings) =>
        Problems.Ok(await ChangeStatusAsync(@event, body, context.Caller(), database, plannings));

    /// <summary>
    /// Moves the event draft → open → closed; an admin may reopen a closed event (closed → open). Publishes a closed
    /// event's snapshot (the one named, or the latest) once its review window has ended, or withdraws the publication
    /// (admin). A reopened event keeps its publication: downloads serve the published snapshot until another is published.
    /// </summary>
    public static async Task<Outcome<EventInfo>> ChangeStatusAsync(string @event, StatusChange body, Caller caller,
        Database database, PlanningCache plannings)
    {
        if (Permissions.Refusal(Permission.ManageEvents, caller) is { } refused) return Refusal.Forbidden(refused);
        if (body.Status is not (EventStatus.Open or EventStatus.Closed))
            return Refusal.Invalid("status", $"'{body.Status}' is not a status to move to; use open or closed.");
        var shape = new Dictionary<string, string[]>();
        var reviewUntil = ParseTime(body.ReviewUntil, "reviewUntil", shape);
        if (shape.Count > 0) return Refusal.Invalid(shape, "The review window's end is not a time.");

        await using var connection = await database.OpenAsync();
        await using var transaction = connection.BeginWrite();
        var gate = await EventGate.OpenAsync(connection, plannings, @event, caller, EventNeed.Chair, transaction);
        if (gate.Refusal is { } refusal) return refusal;
        var planning = gate.Value!;
        var row = planning.Event;

        var reopen = row.IsClosed && body.Status == EventStatus.Open;
        if (reopen && Permissions.Refusal(Permission.ReopenEvents, caller) is not null)
            return Refusal.Forbidden($"Event {@event} is closed: only an admin may reopen it (its results were final). Ask an admin, " +
                                     "or take a snapshot and publish it as it is.");
        if (!reopen && EventStatus.Rank(body.Status) < EventStatus.Rank(row.Status))
            return Refusal.Conflict($"Event {@event} is {row.Status}: it cannot go back to {body.Status} (draft → open → closed; " +
                                    "only an admin reopens a closed event).");
        if (body.Published == true && body.Status != EventStatus.Closed)
            return Refusal.Unprocessable(
                new Dictionary<string, string[]> { ["published"] = ["Only a closed event is published: send {\"status\": \"closed\", \"published\": true}."] },
                $"Event {@event} cannot be published while it is {body.Status}.");

        var until = body.ReviewUntil is null ? row.ReviewUntil : reviewUntil;
        var published = body.Published ?? row.Published;
        var snapshot = published ? row.PublishedSnapshot : null;
        var unpublish = row.Published && !published;
        if (unpublish && Permissions.Refusal(Permission.Unpublish, caller) is not null)
            return Refusal.Forbidden($"Event {@event} is published: only an admin may unpublish it (withdraw its publication).");
        if (body.Published == true)
        {
            if (!row.IsClosed)
                return Refusal.Conflict($"Event {@event} is {row.Status}: close it first, take a snapshot of it, then publish that snapshot.");
            if (until is { } end && string.CompareOrdinal(Clock.Now(), end) < 0)
                return Refusal.Conflict($"Event {@event} is in its review window until {end} (UTC): vendors may still dispute their results. " +
                                        "Publish it after that time, or end the window earlier (reviewUntil).");
            var chosen = await EventSnapshots.ToPublishAsync(connection, planning, body.Snapshot, transaction);
            if (chosen.Refusal is { } none) return none;
            snapshot = chosen.Value;
        }
        else if (body.Snapshot is not null)
        {
            return Refusal.Unprocessable(
                new Dictionary<string, string[]> { ["snapshot"] = ["A snapshot is named only to publish it: add \"published\": true."] },
                "A snapshot was named without publishing.");
        }

        if (row.Status != body.Status || row.Published != published || row.PublishedSnapshot != snapshot || row.ReviewUntil != until)
        {
            await EventStore.SetStatusAsync(connection, transaction, row.Id, body.Status, published, snapshot, until, caller.TokenId);
            var what = new List<string> { $"{row.Status} → {body.Status}" };
            if (published && snapshot != row.PublishedSnapshot) what.Add($"published snapshot {snapshot}");
            if (unpublish) what.Add("publication withdrawn");
            if (until != row.ReviewUntil) what.Add(until is null ? "no review window" : $"review until {until}");
            await Audit.RecordAsync(connection, transaction, caller,
                unpublish ? "event.unpublish" : reopen ? "event.reopen" : "event.status", $"{@event}: {string.Join(", ", what)}", row.Id);
        }
        var info = await EventStore.InfoAsync(connection, @event, caller, transaction);
        transaction.Commit();
        return info!;
    }
}
