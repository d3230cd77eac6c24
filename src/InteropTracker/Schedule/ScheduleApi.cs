using System.Text;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace InteropTracker.Schedule;

/// <summary>
/// The /schedule routes: a chair builds (and re-plans) the event's timetable of test sessions; everyone who reads the
/// event reads it, an engineer only its organization's products' sessions; and a calendar (.ics) per product.
/// </summary>
public static class ScheduleApi
{
    public static IEndpointRouteBuilder MapSchedule(this IEndpointRouteBuilder app)
    {
        var chair = app.MapGroup("/api/events/{event}").WithTags("Schedule").Performs(Permission.BuildSchedule);
        chair.MapPost("/schedule", Build).WithName("BuildSchedule")
            .WithSummary("Builds the timetable from the planned untested cells, or re-plans it; sessions of slots already over keep their place.");

        var read = app.MapGroup("/api/events/{event}").WithTags("Schedule").Performs(Permission.ReadSchedule);
        read.MapGet("/schedule", Get).WithName("GetSchedule")
            .WithSummary("The timetable as last built; an engineer sees its organization's products' sessions.");
        read.MapGet("/schedule.ics", Calendar).WithName("GetScheduleCalendar")
            .WithSummary("The sessions as an iCalendar file, of one product with ?product=.");
        return app;
    }

    private static async Task<Results<Ok<Timetable>, ProblemHttpResult>> Build(string @event, ScheduleRequest body,
        HttpContext context, Database database, PlanningCache plannings) =>
        Problems.Ok(await ScheduleBuild.BuildAsync(@event, body, context.Caller(), database, plannings, DateTimeOffset.UtcNow));

    private static async Task<Results<Ok<Timetable>, ProblemHttpResult>> Get(string @event, HttpContext context, Database database,
        PlanningCache plannings)
    {
        var read = await ReadAsync(@event, context.Caller(), database, plannings);
        return read.Refusal is { } refusal ? Problems.Of(refusal) : TypedResults.Ok(read.Value!.Timetable);
    }

    private static async Task<Results<FileContentHttpResult, ProblemHttpResult>> Calendar(string @event, string? product,
        HttpContext context, Database database, PlanningCache plannings)
    {
        var read = await ReadAsync(@event, context.Caller(), database, plannings);
        if (read.Refusal is { } refusal) return Problems.Of(refusal);
        var (timetable, planning) = read.Value!;
        if (product is not null && ProductRefusal(product, context.Caller(), planning) is { } unknown) return Problems.Of(unknown);
        var ics = TimetableCalendar.Write(timetable, planning, product);
        var name = product is null ? $"{@event}-timetable.ics" : $"{@event}-{product}-timetable.ics";
        return TypedResults.File(Encoding.UTF8.GetBytes(ics), "text/calendar; charset=utf-8", name);
    }

    public sealed record ScheduleView(Timetable Timetable, EventPlanning Planning);

    /// <summary>The event's timetable as the caller may read it.</summary>
    public static async Task<Outcome<ScheduleView>> ReadAsync(string @event, Caller caller, Database database, PlanningCache plannings)
    {
        if (Permissions.Refusal(Permission.ReadSchedule, caller) is { } refused) return Refusal.Forbidden(refused);
        await using var connection = await database.OpenAsync();
        var gate = await EventGate.OpenAsync(connection, plannings, @event, caller, EventNeed.Read);
        if (gate.Refusal is { } refusal) return refusal;
        var planning = gate.Value!;
        var timetable = await ScheduleStore.ReadAsync(connection, planning.Event.Id);
        if (timetable is null)
            return Refusal.NotFound($"Event {@event} has no timetable yet: a chair builds it (POST /api/events/{@event}/schedule).");
        return new ScheduleView(ScheduleBuild.VisibleTo(timetable, caller, planning), planning);
    }

    /// <summary>Why the caller may not ask for this product's sessions: not a participant, or (an engineer) not its organization's.</summary>
    public static Refusal? ProductRefusal(string product, Caller caller, EventPlanning planning)
    {
        var participant = planning.FindParticipant(product);
        if (participant is null || (caller.LimitedTo is { } organization && participant.OrganizationId != organization))
            return Refusal.NotFound(caller.LimitedTo is null
                ? $"'{product}' is not a participant of event {planning.Event.Key}; name a registered product."
                : $"There is no product '{product}' of your organization in event {planning.Event.Key}; name one of yours.");
        return null;
    }
}
