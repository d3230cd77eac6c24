using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Engine;
using InteropTracker.Events;
using InteropTracker.Storage;
using InteropTracker.Vendors;
using Microsoft.AspNetCore.Http.HttpResults;

namespace InteropTracker.Corrections;

/// <summary>
/// The correction routes (DESIGN.md, "Corrections and the event's life"): PATCH an organization, a product or an event
/// (only the fields given change), withdraw a participant, and read an event's audit log. A change that would leave
/// logged results outside the plan answers 409 listing them, unless ?retire=true.
/// </summary>
public static class CorrectionsApi
{
    public static IEndpointRouteBuilder MapCorrections(this IEndpointRouteBuilder app)
    {
        var catalogue = app.MapGroup("/api").WithTags("Corrections").Performs(Permission.ManageCatalogue);
        catalogue.MapPatch("/organizations/{key}", ChangeOrganization).WithName("ChangeOrganization")
            .WithSummary("Correct an organization's name.");
        catalogue.MapPatch("/products/{key}", ChangeProduct).WithName("ChangeProduct")
            .WithSummary("Correct a product: only the fields given change (name, version, line, kind, technologies, capabilities). " +
                         "New declarations that would leave logged results outside an event's plan answer 409 listing them, " +
                         "unless ?retire=true.");

        var events = app.MapGroup("/api/events").WithTags("Corrections").Performs(Permission.ManageEvents);
        events.MapPatch("/{event}", ChangeEvent).WithName("ChangeEvent")
            .WithSummary("Correct an event that is not closed: name, location, dates, includeSameOrganization, and plans to re-pin " +
                         "or add. Re-pinning keeps the results of unchanged cases; results left outside the plan answer 409 " +
                         "listing them, unless ?retire=true. Answers how many results were kept, moved and retired.");
        events.MapDelete("/{event}/participants/{product}", Withdraw).WithName("WithdrawParticipant")
            .WithSummary("Withdraw a product from an event that is not closed; its results answer 409 listed, unless ?retire=true.");

        var audit = app.MapGroup("/api/events").WithTags("Corrections").Performs(Permission.ReadAudit);
        audit.MapGet("/{event}/audit", ReadAudit).WithName("EventAudit")
            .WithSummary("Every write to the event, newest first: who, when, what, before and after; filter by ?who= (part of " +
                         $"the token's name) and ?what= (the start of the action); paged (pageSize ≤ {AuditLog.MaxPageSize}).");
        return app;
    }

    private static async Task<Results<Ok<Organization>, ProblemHttpResult>> ChangeOrganization(string key,
        CatalogueCorrections.OrganizationChange body, HttpContext context, Database database, PlanningCache plannings) =>
        Problems.Ok(await CatalogueCorrections.ChangeOrganizationAsync(key, body, context.Caller(), database, plannings));

    private static async Task<Results<Ok<CatalogueCorrections.ProductCorrected>, ProblemHttpResult>> ChangeProduct(string key,
        CatalogueCorrections.ProductChange body, string? retire, HttpContext context, Database database, PlanningCache plannings,
        IResultEngine engine) =>
        Retire(retire) is not { } asked
            ? Problems.Of(NotYesOrNo(retire))
            : Problems.Ok(await CatalogueCorrections.ChangeProductAsync(key, body, asked, context.Caller(), database, plannings, engine));

    private static async Task<Results<Ok<EventCorrections.EventCorrected>, ProblemHttpResult>> ChangeEvent(string @event,
        EventCorrections.EventChange body, string? retire, HttpContext context, Database database, PlanningCache plannings,
        IResultEngine engine) =>
        Retire(retire) is not { } asked
            ? Problems.Of(NotYesOrNo(retire))
            : Problems.Ok(await EventCorrections.ChangeAsync(@event, body, asked, context.Caller(), database, plannings, engine));

    private static async Task<Results<Ok<EventCorrections.Withdrawn>, ProblemHttpResult>> Withdraw(string @event, string product,
        string? retire, HttpContext context, Database database, PlanningCache plannings, IResultEngine engine) =>
        Retire(retire) is not { } asked
            ? Problems.Of(NotYesOrNo(retire))
            : Problems.Ok(await EventCorrections.WithdrawAsync(@event, product, asked, context.Caller(), database, plannings, engine));

    /// <summary>?retire= read by hand, so that a value that is not true or false is answered with what to send.</summary>
    private static bool? Retire(string? value) =>
        string.IsNullOrEmpty(value) ? false : bool.TryParse(value, out var retire) ? retire : null;

    private static Refusal NotYesOrNo(string? value) =>
        Refusal.Invalid("retire", $"'{value}' is not true or false; send ?retire=true to retire the results the change leaves outside the plan.");

    private static async Task<Results<Ok<AuditLog.Page>, ProblemHttpResult>> ReadAudit(string @event, string? who, string? what,
        int? page, int? pageSize, HttpContext context, Database database, PlanningCache plannings) =>
        Problems.Ok(await AuditLog.ReadAsync(@event, who, what, page ?? 1, pageSize ?? AuditLog.DefaultPageSize, context.Caller(),
            database, plannings));
}
