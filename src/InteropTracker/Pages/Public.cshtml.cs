using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Engine;
using InteropTracker.Events;
using InteropTracker.Matrix;
using InteropTracker.Reports;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace InteropTracker.Pages;

/// <summary>
/// The public page of a closed, published event: open to everyone, read-only, and made from exactly what the anonymised
/// report carries (<see cref="ReportComposer"/> applies the rule of DESIGN.md once): totals, the lineup per technology,
/// per technology a matrix of labelled products with planned counts withheld, and the per-case figures.
/// </summary>
[Performs(Permission.Public)]
public sealed class PublicModel(Database database, PlanningCache plannings, IResultEngine engine) : PageModel
{
    [FromRoute(Name = "event")] public string Key { get; set; } = "";
    [FromQuery(Name = "technology")] public string? TechnologyName { get; set; }

    public ReportModel Report { get; private set; } = null!;
    public ReportMatrix? Matrix { get; private set; }
    public string GridJson { get; private set; } = "";

    /// <summary>How many of the worst cases the page lists; the anonymised reports have them all.</summary>
    public const int CasesShown = 15;

    public async Task<IActionResult> OnGetAsync()
    {
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        await using var transaction = connection.BeginSnapshot();
        // Only a closed, published event has a public page; any other answers as an unknown one does, so that the
        // page tells nobody which event keys exist.
        if (await plannings.GetAsync(connection, Key, transaction) is not { Event: { IsClosed: true, Published: true } } planning)
            return NotFound();
        var facts = await ReportStore.LoadAsync(connection, transaction, planning, engine);
        Report = ReportComposer.Compose(facts, anonymise: true, DateTime.UtcNow);
        Matrix = Report.Matrices.FirstOrDefault(m => string.Equals(m.Technology, TechnologyName, StringComparison.OrdinalIgnoreCase))
                 ?? Report.Matrices.FirstOrDefault();
        if (Matrix is not null)
        {
            var labels = Matrix.Products.Select(p => new MatrixGrid.Label(p.Label, p.Label, p.OrganizationLabel)).ToList();
            GridJson = MatrixGrid.Json(Matrix.Technology, MatrixView.Ordered, "", 0, labels, MatrixGrid.Flatten(Matrix.Table), anonymised: true);
        }
        return Page();
    }

    public string Link(string technology) => $"/public/{Uri.EscapeDataString(Key)}?technology={Uri.EscapeDataString(technology)}#matrix";
}
