using System.Net;
using System.Text.Json;
using InteropTracker.Core;
using InteropTracker.History;

namespace InteropTracker.Tests.History;

/// <summary>The diff of two events and a line's record, read against the hand count of <see cref="TwoEvents"/>.</summary>
public sealed class HistoryApiTests(AppFixture app) : IClassFixture<AppFixture>
{
    private readonly Build _build = new(seed: 11);

    private static (string Case, string Initiator, string Responder)[] Cells(IEnumerable<HistoryApi.EntryDto> entries) =>
        entries.Select(e => (e.Case, e.Initiator, e.Responder)).ToArray();

    [Fact]
    public async Task The_diff_of_two_events_matches_the_hand_count_cell_by_cell()
    {
        var s = await TwoEvents.SetUpAsync(app, _build);

        var diff = await s.Chair.GetAsync(s.Diff()).ReadJson<HistoryApi.DiffDto>();

        Assert.Equal(new HistoryApi.CountsDto(Regressed: 2, Fixed: 1, New: 2, Dropped: 1, Stayed: 3, Other: 1,
            ComparedAcrossChangedCases: 1), diff.Counts);
        var (phone, bridge, gateway) = (s.PhoneLine, s.BridgeLine, s.GatewayLine);
        Assert.Equal([("CASE-1", phone, bridge), ("CASE-3", bridge, gateway)], Cells(diff.Regressed));
        Assert.Equal([("CASE-1", bridge, phone)], Cells(diff.Fixed));
        Assert.Equal([("CASE-2", phone, gateway), ("CASE-5", phone, bridge)], Cells(diff.New));
        Assert.Equal([("CASE-1", phone, gateway)], Cells(diff.Dropped));
        Assert.Equal([("CASE-2", bridge, gateway), ("CASE-2", gateway, phone), ("CASE-4", phone, bridge)], Cells(diff.Stayed));
        Assert.Equal([("CASE-2", gateway, bridge)], Cells(diff.Other));

        // The regression on purpose, with the products that gave each verdict.
        var regressed = diff.Regressed[0];
        Assert.Equal(new HistoryApi.SideDto("pass", s.OldPhone.Key, s.OldBridge.Key), regressed.From);
        Assert.Equal(new HistoryApi.SideDto("fail", s.NewPhone.Key, s.NewBridge.Key), regressed.To);
        Assert.False(regressed.CaseChanged);
        // The non-directional case was stored bridge-first before and gateway-first after; it is one cell of two lines.
        var dtmf = diff.Regressed[1];
        Assert.Equal(new HistoryApi.SideDto("pass", s.OldBridge.Key, s.OldGateway.Key), dtmf.From);
        Assert.Equal(new HistoryApi.SideDto("fail", s.NewBridge.Key, s.NewGateway.Key), dtmf.To);
        Assert.Null(diff.New[0].From);
        Assert.Null(diff.Dropped[0].To);

        // CASE-4 reads differently in 2.0: still compared, and flagged.
        Assert.Equal([new HistoryApi.ChangedCaseDto(s.Plan, "CASE-4", "1.0", "2.0")], diff.ChangedCases);
        Assert.Equal([false, false, true], diff.Stayed.Select(e => e.CaseChanged));
        Assert.Equal((s.Earlier, s.Later), (diff.From.Key, diff.To.Key));
        Assert.Equal([new HistoryApi.PlanPinDto(s.Plan, "1.0")], diff.From.Plans);
    }

    [Fact]
    public async Task Filters_narrow_the_diff_to_a_technology_a_line_or_an_organization_and_the_lists_to_a_limit()
    {
        var s = await TwoEvents.SetUpAsync(app, _build);

        var sip = await s.Chair.GetAsync(s.Diff("&technology=sip")).ReadJson<HistoryApi.DiffDto>();
        Assert.Equal(2, sip.Counts.Regressed);
        Assert.Equal(10, Total(sip.Counts));

        var gateway = await s.Chair.GetAsync(s.Diff($"&line={s.GatewayLine}")).ReadJson<HistoryApi.DiffDto>();
        Assert.Equal(new HistoryApi.CountsDto(1, 0, 1, 1, 2, 1, 0), gateway.Counts);
        Assert.All(gateway.Stayed.Concat(gateway.Regressed).Concat(gateway.New).Concat(gateway.Dropped).Concat(gateway.Other),
            e => Assert.Contains(s.GatewayLine, new[] { e.Initiator, e.Responder }));

        var vendorA = await s.Chair.GetAsync(s.Diff($"&organization={s.A.Key}")).ReadJson<HistoryApi.DiffDto>();
        Assert.Equal(new HistoryApi.CountsDto(1, 1, 2, 1, 2, 0, 1), vendorA.Counts);

        var both = await s.Chair.GetAsync(s.Diff($"&organization={s.A.Key}&line={s.GatewayLine}")).ReadJson<HistoryApi.DiffDto>();
        Assert.Equal(new HistoryApi.CountsDto(0, 0, 1, 1, 1, 0, 0), both.Counts);

        var limited = await s.Chair.GetAsync(s.Diff("&limit=1")).ReadJson<HistoryApi.DiffDto>();
        Assert.Equal(3, limited.Counts.Stayed);
        Assert.Single(limited.Stayed);
        Assert.Equal(1, limited.Limit);
    }

    private static long Total(HistoryApi.CountsDto c) => c.Regressed + c.Fixed + c.New + c.Dropped + c.Stayed + c.Other;

    [Fact]
    public async Task A_diff_asked_wrongly_says_what_to_change()
    {
        var s = await TwoEvents.SetUpAsync(app, _build);

        var noFrom = await Problem.ReadAsync(await s.Chair.GetAsync($"/api/history/diff?to={s.Later}"), HttpStatusCode.BadRequest);
        Assert.Contains("from", noFrom.Errors.Keys);
        var tooMany = await Problem.ReadAsync(await s.Chair.GetAsync(s.Diff("&limit=20000")), HttpStatusCode.BadRequest);
        Assert.Contains("0 to 10000", tooMany.Errors["limit"][0]);
        var technology = await Problem.ReadAsync(await s.Chair.GetAsync(s.Diff("&technology=WebRTC")), HttpStatusCode.NotFound);
        Assert.Equal("Neither event has a test case of technology 'WebRTC'; theirs are SIP.", technology.Detail);
        var line = await Problem.ReadAsync(await s.Chair.GetAsync(s.Diff("&line=no-such-line")), HttpStatusCode.NotFound);
        Assert.Equal("No product of line 'no-such-line' takes part in either event.", line.Detail);
        var organization = await Problem.ReadAsync(await s.Chair.GetAsync(s.Diff("&organization=nobody")), HttpStatusCode.NotFound);
        Assert.Equal("No product of organization 'nobody' takes part in either event.", organization.Detail);
        var missing = await Problem.ReadAsync(await s.Chair.GetAsync($"/api/history/diff?from=no-such-event&to={s.Later}"), HttpStatusCode.NotFound);
        Assert.Equal("There is no event 'no-such-event' that you can see.", missing.Detail);
    }

    [Fact]
    public async Task An_engineer_reads_the_history_of_its_organizations_events_only_members_and_chairs_all_anonymous_nothing()
    {
        var s = await TwoEvents.SetUpAsync(app, _build);
        var inBoth = await app.ClientFor(Roles.Engineer, s.A.Key);
        var laterOnly = await app.ClientFor(Roles.Engineer, s.D.Key);
        var outside = await app.ClientFor(Roles.Engineer, (await s.Chair.Register(_build.Organization())).Key);

        foreach (var reader in new[] { inBoth, await app.ClientFor(Roles.Member), s.Chair, app.Admin() })
            Assert.Equal(2, (await reader.GetAsync(s.Diff()).ReadJson<HistoryApi.DiffDto>()).Counts.Regressed);

        var notIn = await Problem.ReadAsync(await laterOnly.GetAsync(s.Diff()), HttpStatusCode.NotFound);
        Assert.Equal($"There is no event '{s.Earlier}' that you can see.", notIn.Detail);
        await Problem.ReadAsync(await outside.GetAsync(s.Diff()), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync(s.Diff())).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await app.Anonymous().GetAsync($"/api/history/lines/{s.PhoneLine}")).StatusCode);

        // The line's record shows only the events the engineer's organization takes part in.
        var seenByD = await laterOnly.GetAsync($"/api/history/lines/{s.PhoneLine}").ReadJson<HistoryApi.LineDto>();
        Assert.Equal([s.Later], seenByD.Events.Select(e => e.Event.Key));
        var line = await Problem.ReadAsync(await outside.GetAsync($"/api/history/lines/{s.PhoneLine}"), HttpStatusCode.NotFound);
        Assert.Equal($"No event that you can see has a product of line '{s.PhoneLine}'.", line.Detail);
    }

    [Fact]
    public async Task A_lines_record_gives_its_rate_per_event_and_technology_and_each_pairs_verdicts()
    {
        var s = await TwoEvents.SetUpAsync(app, _build);

        var record = await s.Chair.GetAsync($"/api/history/lines/{s.PhoneLine}").ReadJson<HistoryApi.LineDto>();

        Assert.Equal([s.Earlier, s.Later], record.Events.Select(e => e.Event.Key));
        Assert.Equal([s.OldPhone.Key, s.NewPhone.Key], record.Events.Select(e => Assert.Single(e.Products)));
        // Earlier: CASE-1 ×3 (pass, fail, pass), CASE-2 gateway → phone fail, CASE-4 pass. Later: CASE-1 fail and pass,
        // CASE-2 pass and fail, CASE-4 pass, CASE-5 pass.
        Assert.Equal(new HistoryApi.VerdictsDto(3, 2, 0, 0, 5, 0.6), record.Events[0].Total);
        Assert.Equal(new HistoryApi.VerdictsDto(4, 2, 0, 0, 6, 4 / 6.0), record.Events[1].Total);
        Assert.Equal([new HistoryApi.TechnologyVerdictsDto("SIP", record.Events[1].Total)], record.Events[1].Technologies);

        Assert.Equal([s.BridgeLine, s.GatewayLine], record.Peers.Select(p => p.Line));
        var bridge = record.Peers[0];
        Assert.Equal([(s.Earlier, s.OldPhone.Key, s.OldBridge.Key, 2L, 1L), (s.Later, s.NewPhone.Key, s.NewBridge.Key, 3L, 1L)],
            bridge.Events.Select(m => (m.Event, m.Product, m.Peer, m.Verdicts.Pass, m.Verdicts.Fail)));
        var gateway = record.Peers[1];
        Assert.Equal([(1L, 1L), (1L, 1L)], gateway.Events.Select(m => (m.Verdicts.Pass, m.Verdicts.Fail)));

        var unknown = await Problem.ReadAsync(await s.Chair.GetAsync("/api/history/lines/no-such-line"), HttpStatusCode.NotFound);
        Assert.Equal("No event that you can see has a product of line 'no-such-line'.", unknown.Detail);
    }

    [Fact]
    public void Cell_changes_follow_the_verdicts()
    {
        Assert.Equal(CellChange.Regressed, CellChanges.Of(Verdict.Pass, Verdict.Fail));
        Assert.Equal(CellChange.Fixed, CellChanges.Of(Verdict.Fail, Verdict.Pass));
        Assert.Equal(CellChange.New, CellChanges.Of(null, Verdict.Na));
        Assert.Equal(CellChange.Dropped, CellChanges.Of(Verdict.Blocked, null));
        Assert.Equal(CellChange.Stayed, CellChanges.Of(Verdict.Na, Verdict.Na));
        Assert.Equal(CellChange.Other, CellChanges.Of(Verdict.Pass, Verdict.Blocked));
        Assert.Equal(CellChange.Other, CellChanges.Of(Verdict.Na, Verdict.Fail));
        Assert.Throws<ArgumentException>(() => CellChanges.Of(null, null));
    }

    [Fact]
    public void The_merge_counts_what_a_look_up_per_cell_counts_on_random_events()
    {
        var random = new Random(20261201);
        for (var round = 0; round < 50; round++)
        {
            var (from, to) = (RandomEvent(random), RandomEvent(random));
            var changed = new HashSet<long>(Enumerable.Range(0, 40).Where(_ => random.Next(4) == 0).Select(k => (long)k));
            var merged = CellDiff.Merge(Keyed(from), Keyed(to), key => changed.Contains(key), limit: 3);

            var expected = CellChanges.All.ToDictionary(c => c, _ => 0L);
            foreach (var key in from.Keys.Union(to.Keys))
                expected[CellChanges.Of(from.TryGetValue(key, out var a) ? a : null, to.TryGetValue(key, out var b) ? b : null)]++;
            Assert.Equal(expected, merged.Counts);
            Assert.Equal(from.Keys.Intersect(to.Keys).Count(changed.Contains), merged.ComparedAcrossChangedCases);
            Assert.All(merged.Listed, l => Assert.Equal(Math.Min(3, expected[l.Key]), l.Value.Count));
        }
    }

    [Fact]
    public void Keyed_cells_keep_one_result_per_cell_the_one_of_the_highest_rank()
    {
        long[] keys = [7, 3, 7, 1];
        long[] items = [KeyedCells.Item(Verdict.Pass, 2), KeyedCells.Item(Verdict.Na, 0), KeyedCells.Item(Verdict.Fail, 5),
            KeyedCells.Item(Verdict.Blocked, 1)];

        var cells = KeyedCells.Sort(keys, items, 4);

        Assert.Equal([1L, 3L, 7L], cells.Keys.Take(cells.Count));
        Assert.Equal([Verdict.Blocked, Verdict.Na, Verdict.Fail], cells.Items.Take(cells.Count).Select(KeyedCells.VerdictOf));
        Assert.Equal(5, KeyedCells.RankOf(cells.Items[2]));
    }

    private static Dictionary<long, Verdict> RandomEvent(Random random) =>
        Enumerable.Range(0, 40).Where(_ => random.Next(3) > 0)
            .ToDictionary(k => (long)k, _ => (Verdict)random.Next(4));

    private static KeyedCells Keyed(Dictionary<long, Verdict> cells)
    {
        var keys = cells.Keys.Reverse().ToArray();
        return KeyedCells.Sort(keys, keys.Select(k => KeyedCells.Item(cells[k], 0)).ToArray(), keys.Length);
    }
}
