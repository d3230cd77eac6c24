using InteropTracker.Core;

namespace InteropTracker.Pages.Setup;

/// <summary>
/// The results a correction would leave outside the plan, as a page shows them beside its form with the choice to
/// retire them and apply the change: read from the refusal the feature answered (the API's 409 carries the same).
/// </summary>
public sealed record Outside(string Detail, int Count, IReadOnlyList<OutsideResult> Results)
{
    public static Outside? Of(Refusal refusal) =>
        refusal.Kind == RefusalKind.Conflict && refusal.Extensions.GetValueOrDefault("results") is IReadOnlyList<OutsideResult> results
            ? new Outside(refusal.Detail, (int)refusal.Extensions["count"]!, results)
            : null;
}
