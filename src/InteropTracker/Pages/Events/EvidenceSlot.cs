using InteropTracker.Core;

namespace InteropTracker.Pages.Events;

/// <summary>
/// A result's evidence as a page shows it beside the result (the _Evidence partial and wwwroot/evidence.js): only to
/// those who may see it, with a drop zone for those who may attach.
/// </summary>
public sealed record EvidenceSlot(string Event, long ResultId, string Label, bool MayAttach)
{
    public string PageUrl => $"/events/{Uri.EscapeDataString(Event)}/results/{ResultId}/evidence";

    public string ApiUrl => $"/api/events/{Uri.EscapeDataString(Event)}/results/{ResultId}/evidence";

    /// <summary>The slot of a row's result, or null when it has none or the viewer may not see its evidence.</summary>
    public static EvidenceSlot? For(Viewer viewer, EventPlanning planning, SheetRow row)
    {
        if (row.Result is not { } result) return null;
        var (initiator, responder) = (row.Initiator.OrganizationId, row.Responder.OrganizationId);
        if (Permissions.WhyCannotSeeEvidence(viewer.Caller, initiator, responder) is not null) return null;
        var mayAttach = planning.Event.IsOpen && !planning.Event.Published && Permissions.Refusal(Permission.AttachEvidence, viewer.Caller) is null;
        return new EvidenceSlot(planning.Event.Key, result.Id, $"{row.Case.Case.Key} {row.Direction}", mayAttach);
    }
}
