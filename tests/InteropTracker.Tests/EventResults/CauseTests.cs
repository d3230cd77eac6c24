using System.Net;
using InteropTracker.EventResults;

namespace InteropTracker.Tests.EventResults;

/// <summary>A fail or blocked result names why (DESIGN.md "Evidence, causes and attributes"), from the API and the import.</summary>
public class CauseTests(AppFixture app) : IClassFixture<AppFixture>
{
    private readonly Build _build = new(seed: 43);

    private static object WithCause(TestFloor floor, string @case, string verdict, string? cause) => new
    {
        plan = floor.Sip, @case, initiator = floor.A1.Key, responder = floor.B1.Key, verdict, cause,
    };

    [Fact]
    public async Task A_failed_result_keeps_its_cause_in_the_result_and_in_its_history()
    {
        var floor = await TestFloor.OpenAsync(app, _build);

        var failed = await floor.Log(floor.EngineerA, WithCause(floor, TestFloor.Call, "fail", "Test-Case"));
        Assert.Equal("test-case", failed.Cause);
        var blocked = await floor.Log(floor.EngineerA, WithCause(floor, TestFloor.Call, "blocked", "setup"));
        var passed = await floor.Log(floor.EngineerA, WithCause(floor, TestFloor.Call, "pass", null));

        Assert.Equal(failed.Id, passed.Id);
        Assert.Null((await floor.Member.GetAsync($"{floor.Results}/{passed.Id}").ReadJson<ResultInfo>()).Cause);
        var history = await floor.Member.GetAsync($"{floor.Results}/{passed.Id}/history").ReadJson<ResultsApi.ResultHistory>();
        Assert.Equal([("pass", null), ("blocked", "setup"), ("fail", "test-case")], history.Revisions.Select(r => (r.Verdict, r.Cause)));
        Assert.Equal("setup", blocked.Cause);
    }

    [Theory]
    [InlineData("pass", "implementation", "A pass result has no cause; only fail and blocked results name one.")]
    [InlineData("na", "setup", "A na result has no cause")]
    [InlineData("fail", "bad-luck", "'bad-luck' is not a cause; use implementation, test-case, specification, setup, unknown.")]
    public async Task A_cause_on_a_pass_or_na_or_a_cause_not_known_is_refused_and_nothing_is_logged(string verdict, string cause,
        string expected)
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var before = floor.Counts();

        var problem = await Problem.ReadAsync(await floor.EngineerA.PostJson(floor.Results, WithCause(floor, TestFloor.Call, verdict, cause)),
            HttpStatusCode.UnprocessableEntity);

        Assert.Contains(expected, Assert.Single(problem.Errors["cause"]));
        Assert.Equal(before, floor.Counts());
    }

    [Fact]
    public async Task The_import_takes_a_cause_column_and_names_the_row_of_a_bad_one()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        var good = $"plan,case,initiator,responder,verdict,cause\n{floor.Sip},{TestFloor.Call},{floor.A1.Key},{floor.B1.Key},fail,specification\n" +
                   $"{floor.Sip},{TestFloor.Call},{floor.B1.Key},{floor.A1.Key},pass,\n";

        (await floor.Import(floor.EngineerA, good)).EnsureSuccessStatusCode();
        var page = await floor.Member.GetAsync($"{floor.Results}?initiator={floor.A1.Key}&responder={floor.B1.Key}").ReadJson<ResultPage>();
        Assert.Equal("specification", Assert.Single(page.Items).Cause);

        var before = floor.Counts();
        var bad = $"plan,case,initiator,responder,verdict,cause\n{floor.Sip},{TestFloor.Call},{floor.A1.Key},{floor.B1.Key},pass,setup\n";
        var problem = await Problem.ReadAsync(await floor.Import(floor.EngineerA, bad), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("cause: A pass result has no cause", Assert.Single(problem.Errors["row 2"]));
        Assert.Equal(before, floor.Counts());
    }
}
