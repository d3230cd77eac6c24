using System.Net;
using InteropTracker.Core;
using InteropTracker.Matrix;
using InteropTracker.Tests.EventResults;

namespace InteropTracker.Tests.Matrix;

/// <summary>
/// The matrix asked again before any verdict changed is answered with the JSON written the first time; any write (a new
/// result, a revision, an import) makes the next answer a new one, and views and anonymised copies are kept apart.
/// </summary>
public sealed class MatrixMemoTests(AppFixture app) : IClassFixture<AppFixture>
{
    private readonly InteropTracker.Tests.Build _build = new(31);

    private static async Task<(string Json, MatrixApi.MatrixDto Matrix)> Get(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var json = await response.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (json, System.Text.Json.JsonSerializer.Deserialize<MatrixApi.MatrixDto>(json, System.Text.Json.JsonSerializerOptions.Web)!);
    }

    [Fact]
    public async Task The_same_matrix_is_answered_as_it_was_until_a_write_and_then_anew()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var url = $"/api/events/{floor.Event}/matrix?technology=SIP";

        var (first, empty) = await Get(floor.Member, url);
        Assert.Equal(0, empty.Total.Pass);
        Assert.Equal(first, (await Get(floor.Member, url)).Json);

        var logged = await floor.Log(floor.EngineerA, floor.Result(TestFloor.Call, floor.A1, floor.B1, "pass"));
        var (_, one) = await Get(floor.Member, url);
        Assert.Equal(1, one.Cells.Single(c => c.Initiator == floor.A1.Key && c.Responder == floor.B1.Key).Tally.Pass);

        await floor.Log(floor.EngineerB, floor.Result(TestFloor.Call, floor.A1, floor.B1, "fail")); // a revision of it
        var (afterRevision, revised) = await Get(floor.Member, url);
        var cell = revised.Cells.Single(c => c.Initiator == floor.A1.Key && c.Responder == floor.B1.Key).Tally;
        Assert.Equal((0, 1), (cell.Pass, cell.Fail));
        Assert.Equal(afterRevision, (await Get(floor.Member, url)).Json);

        var import = await floor.Import(floor.EngineerC, $"plan,case,initiator,responder,verdict\n{floor.Sip},{TestFloor.Call},{floor.C1.Key},{floor.B1.Key},na\n");
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        var (_, imported) = await Get(floor.Member, url);
        Assert.Equal(1, imported.Cells.Single(c => c.Initiator == floor.C1.Key && c.Responder == floor.B1.Key).Tally.Na);

        var (pairJson, pair) = await Get(floor.Member, url + "&view=pair");
        Assert.Equal("pair", pair.View);
        var (anonymisedJson, anonymised) = await Get(floor.Member, url + "&anonymize=true");
        Assert.True(anonymised.Anonymized);
        Assert.DoesNotContain(floor.A1.Key, anonymisedJson);
        Assert.NotEqual(pairJson, anonymisedJson);
        Assert.Equal(logged.Id, (await floor.Member.GetAsync($"{floor.Results}/{logged.Id}").ReadJson<InteropTracker.EventResults.ResultInfo>()).Id);
    }
}
