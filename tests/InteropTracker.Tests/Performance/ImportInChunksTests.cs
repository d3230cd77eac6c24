using System.Net;
using System.Text;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Engine;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Matrix;
using InteropTracker.EventResults;

namespace InteropTracker.Tests.Performance;

/// <summary>
/// An import bigger than the chunks it is checked and written in (<see cref="IResultImport.ChunkRows"/> rows): new results
/// are staged and moved into results a chunk at a time, rows of one cell become revisions in file order whether the
/// result they revise is still staged or already moved, and a bad or broken row anywhere leaves nothing behind.
/// </summary>
public sealed class ImportInChunksTests : IAsyncLifetime
{
    private readonly AppFixture _app = new();
    private string _event = "";
    private string _plan = "";
    private List<PlannedCell> _cells = [];

    public async Task InitializeAsync()
    {
        // 150 cases for 12 products of 4 vendors: 150 × 12 × 9 = 16,200 planned cells, more than two chunks' worth.
        var build = new Build(7);
        var chair = await _app.ClientFor(Roles.Chair);
        var plan = await chair.LoadPlan(Build.Plan(Enumerable.Range(1, 150).Select(i => new CaseSpec { Id = $"BULK-{i:D3}" }).ToArray()));
        var organizations = new List<string>();
        for (var o = 0; o < 4; o++) organizations.Add((await chair.Register(build.Organization())).Key);
        var products = new List<string>();
        for (var p = 0; p < 12; p++)
            products.Add((await chair.Register(build.Product(organizations[p % 4]) with { Technologies = ["SIP"] })).Key);
        var created = await chair.Create(build.Event(plan.Plan));
        await chair.Enter(created.Key, products.ToArray());
        await chair.MoveTo(created.Key, "open");

        await using var db = _app.OpenDatabase();
        var planning = (await EventStore.PlanningAsync(db, created.Key))!;
        (_event, _plan) = (created.Key, plan.Plan);
        _cells = Planning.Cells(planning.Cases, planning.Participants, planning.Event.IncludeSameOrganization).ToList();
        Assert.Equal(16_200, _cells.Count);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();

    private string Row(PlannedCell cell, string verdict, string notes = "") =>
        $"{_plan},{cell.Case.Key},{cell.Initiator.Key},{cell.Responder.Key},{verdict},{notes}\n";

    private Task<HttpResponseMessage> Import(StringBuilder csv) =>
        _app.Admin().PostAsync($"/api/events/{_event}/results/import", new StringContent(csv.ToString(), Encoding.UTF8, "text/csv"));

    private (long Results, long Revisions) Counts()
    {
        using var db = _app.OpenDatabase();
        return db.QuerySingle<(long, long)>($"""
            SELECT (SELECT count(*) FROM results), (SELECT count(*) FROM {ResultStore.AllRevisions} AS v)
            """);
    }

    [Fact]
    public async Task Every_planned_cell_and_revisions_of_staged_and_moved_results_land_in_file_order()
    {
        var random = new Random(11);
        var order = _cells.ToArray();
        random.Shuffle(order);
        // Cell 0 is revised twice right after it is written (its result still staged) and again at the very end (long
        // moved into results); every 37th row also revises a cell written shortly before.
        var csv = new StringBuilder("plan,case,initiator,responder,verdict,notes\n");
        var rows = 0;
        var revisedLater = new List<PlannedCell>();
        for (var i = 0; i < order.Length; i++)
        {
            csv.Append(Row(order[i], "pass", $"first {i}"));
            rows++;
            if (i == 0)
            {
                csv.Append(Row(order[0], "fail", "second")).Append(Row(order[0], "na", "third"));
                rows += 2;
            }
            if (i % 37 == 36)
            {
                csv.Append(Row(order[i - 5], "blocked", "again"));
                revisedLater.Add(order[i - 5]);
                rows++;
            }
        }
        csv.Append(Row(order[0], "pass", "fourth"));
        rows++;
        Assert.True(rows > 2 * IResultImport.ChunkRows);

        var summary = await (await Import(csv)).ReadJson<ResultImport.Summary>();
        Assert.Equal((rows, _cells.Count, rows - _cells.Count), (summary.Rows, summary.Created, summary.Revised));
        Assert.Equal((_cells.Count, rows), Counts());

        using var db = _app.OpenDatabase();
        TallyRecount.AssertTalliesMatchResults(db);
        Assert.Equal(_cells.Count, db.ExecuteScalar<long>("SELECT count(DISTINCT id) FROM results"));
        var first = await ResultOf(order[0]);
        var history = await _app.Admin().GetAsync($"/api/events/{_event}/results/{first.Id}/history")
            .ReadJson<ResultsApi.ResultHistory>();
        Assert.Equal([(4L, "pass", "fourth"), (3L, "na", "third"), (2L, "fail", "second"), (1L, "pass", "first 0")],
            history.Revisions.Select(r => (r.Revision, r.Verdict, r.Notes)).ToList());
        foreach (var cell in revisedLater.Take(20))
        {
            var result = await ResultOf(cell);
            Assert.Equal((2L, "blocked", "again"), (result.Revision, result.Verdict, result.Notes));
        }
    }

    private async Task<ResultInfo> ResultOf(PlannedCell cell)
    {
        var page = await _app.Admin().GetAsync(
                $"/api/events/{_event}/results?case={cell.Case.Key}&initiator={cell.Initiator.Key}&responder={cell.Responder.Key}")
            .ReadJson<ResultPage>();
        return Assert.Single(page.Items);
    }

    [Fact]
    public async Task A_bad_row_after_chunks_were_written_leaves_nothing_and_is_named()
    {
        var csv = new StringBuilder("plan,case,initiator,responder,verdict,notes\n");
        foreach (var cell in _cells.Take(12_000)) csv.Append(Row(cell, "pass"));
        var bad = _cells[12_000];
        csv.Append($"{_plan},{bad.Case.Key},{bad.Initiator.Key},{bad.Initiator.Key},pass,\n"); // a product with itself
        csv.Append(Row(_cells[12_001], "maybe")); // not a verdict

        var problem = await Problem.ReadAsync(await Import(csv), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(["row 12002", "row 12003"], problem.Errors.Keys.Order().ToList());
        Assert.Contains("2 of 12002 rows cannot be logged", problem.Detail);
        Assert.Equal((0L, 0L), Counts());
        using var db = _app.OpenDatabase();
        Assert.Equal(0L, db.ExecuteScalar<long>("SELECT count(*) FROM pair_tallies"));
        Assert.Equal(1L, db.ExecuteScalar<long>("PRAGMA foreign_keys")); // the import's connection went back to the pool with them on
    }

    [Fact]
    public async Task A_broken_record_after_chunks_were_written_leaves_nothing_and_is_named()
    {
        var csv = new StringBuilder("plan,case,initiator,responder,verdict,notes\n");
        foreach (var cell in _cells.Take(10_000)) csv.Append(Row(cell, "pass"));
        csv.Append($"{_plan},\"{_cells[10_000].Case.Key}\"x,{_cells[10_000].Initiator.Key},{_cells[10_000].Responder.Key},pass,\n");
        foreach (var cell in _cells.Skip(10_001).Take(100)) csv.Append(Row(cell, "pass"));

        var problem = await Problem.ReadAsync(await Import(csv), HttpStatusCode.BadRequest);
        Assert.Contains("row 10002", problem.Errors.Keys);
        Assert.Contains("Text follows a closing quote", problem.Errors["row 10002"][0]);
        Assert.Equal((0L, 0L), Counts());
    }
}
