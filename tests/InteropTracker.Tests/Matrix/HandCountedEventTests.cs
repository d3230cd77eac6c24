using InteropTracker.Core;
using InteropTracker.Matrix;
using InteropTracker.EventResults;
using static InteropTracker.Core.Verdict;

namespace InteropTracker.Tests.Matrix;

/// <summary>
/// A small event whose every figure was worked out on paper. Four products of three organizations, the event
/// pairs only different organizations (so acme-phone and acme-sbc are never paired), two technologies.
/// Matrices are written rows = initiator, columns = responder, in ordinal key order:
/// acme-phone (P), acme-sbc (S), bolt-gw (G), core-mcu (M).
/// </summary>
public class HandCountedEventTests
{
    //                                   id  key           org  technologies   capabilities
    private static readonly Participant P = Build.Product(30, "acme-phone", 1, "SIP WebRTC", "video tls");
    private static readonly Participant S = Build.Product(10, "acme-sbc", 1, "SIP", "tls transcode");
    private static readonly Participant G = Build.Product(40, "bolt-gw", 2, "SIP WebRTC", "video ice");
    private static readonly Participant M = Build.Product(20, "core-mcu", 3, "SIP", "video tls transcode");
    private static readonly Participant[] Products = [M, G, S, P]; // any order: the tables sort by key

    // Different-organization ordered pairs: P→G P→M S→G S→M G→P G→S G→M M→P M→S M→G (10; not P→S, S→P).
    private static readonly PlannedCase Call1 = Build.Case(101, "call-1");
    // Planned for all 10 pairs.
    private static readonly PlannedCase Call2 = Build.Case(102, "call-2", requires: "video");
    // S lacks video: P→G P→M G→P G→M M→P M→G (6).
    private static readonly PlannedCase Sec1 = Build.Case(103, "sec-1", section: "security", directional: false, requires: "tls");
    // G lacks tls; {P,S} is one organization: {P,M} and {S,M}, each once, smaller key first: P→M, S→M (2).
    private static readonly PlannedCase Xfer1 = Build.Case(104, "xfer-1", initiator: "transcode", responder: "video");
    // Initiators that transcode: S, M; responders with video: P, G, M. S→G S→M M→P M→G (4; S→P is one organization).
    private static readonly PlannedCase Dc1 = Build.Case(105, "dc-1", "WebRTC", "webrtc-core", "media", planId: 2,
        directional: false, initiator: "ice");
    // WebRTC: only P and G. Only G has ice, so only G→P qualifies; stored once as P→G, "acme-phone" < "bolt-gw" (1).
    private static readonly PlannedCase Ice1 = Build.Case(106, "ice-1", "WebRTC", "webrtc-core", "media", planId: 2,
        responder: "ice");
    // P→G (G responds with ice); G→P does not qualify: P lacks ice (1).
    private static readonly PlannedCase Ice2 = Build.Case(107, "ice-2", "WebRTC", "webrtc-core", "media", planId: 2,
        requires: "ice");
    // Both sides need ice; P lacks it: never planned (0).
    private static readonly PlannedCase[] Cases = [Call1, Call2, Sec1, Xfer1, Dc1, Ice1, Ice2];

    private static readonly Logged[] Verdicts =
    [
        new(Call1, P, G, Pass),
        new(Call1, G, P, Fail),
        new(Call1, P, M, Pass),
        new(Call1, M, S, Blocked),
        new(Call2, P, G, Pass),
        new(Call2, G, M, Fail),
        new(Call2, M, P, Pass),
        new(Call2, M, G, Fail),
        new(Sec1, S, M, Pass),
        new(Sec1, P, M, Fail),
        new(Xfer1, S, G, Na),
        new(Dc1, P, G, Pass),  // G initiated, but a non-directional result is stored smaller key first
        new(Ice1, P, G, Fail),
    ];

    private static Tally T(long planned, long pass, long fail, long na, long blocked) => new(planned, pass, fail, na, blocked);
    private static readonly Tally O = default;

    [Fact]
    public void Planned_cells_are_the_ones_counted_by_hand()
    {
        var planned = Planning.Count(Cases, Products, includeSameOrganization: false);

        Assert.Equal([P, S, G, M], planned.Products);
        long[,] expected =
        {
            //  P  S  G  M
            { 0, 0, 4, 3 }, // P: →G call-1 call-2 dc-1 ice-1; →M call-1 call-2 sec-1
            { 0, 0, 2, 3 }, // S: →G call-1 xfer-1; →M call-1 sec-1 xfer-1
            { 2, 1, 0, 2 }, // G: →P call-1 call-2; →S call-1; →M call-1 call-2
            { 3, 1, 3, 0 }, // M: →P call-1 call-2 xfer-1; →S call-1; →G call-1 call-2 xfer-1
        };
        Assert.Equal(expected, planned.Cells);
        Assert.Equal(24, planned.Total);
        Assert.Equal(new Dictionary<long, long> { [101] = 10, [102] = 6, [103] = 2, [104] = 4, [105] = 1, [106] = 1, [107] = 0 },
            planned.PerCase);
        Assert.Equal(24, Planning.Cells(Cases, Products, includeSameOrganization: false).Count());
    }

    [Fact]
    public void Every_verdict_is_on_a_planned_cell_in_its_stored_order()
    {
        foreach (var v in Verdicts)
        {
            Assert.Null(Planning.WhyNotCell(v.Case, v.Initiator, v.Responder, includeSameOrganization: false));
            Assert.Equal((v.Initiator, v.Responder), Planning.Stored(v.Case, v.Initiator, v.Responder));
        }
        // Whichever side logs a non-directional case, it lands on the same cell.
        Assert.Equal((P, G), Planning.Stored(Dc1, G, P));
        Assert.Equal((P, M), Planning.Stored(Sec1, M, P));
    }

    [Fact]
    public void The_ordered_matrix_has_every_cell_row_column_and_total_counted_by_hand()
    {
        var table = MatrixTable.Build(Planning.Count(Cases, Products, false), Logged.CellCounts(Verdicts));

        Tally[,] expected =
        {
            //        P                S                G                M
            { O,               O,               T(4, 3, 1, 0, 0), T(3, 1, 1, 0, 0) }, // P→G: call-1, call-2, dc-1 pass; ice-1 fail. P→M: call-1 pass, sec-1 fail
            { O,               O,               T(2, 0, 0, 1, 0), T(3, 1, 0, 0, 0) }, // S→G: xfer-1 na. S→M: sec-1 pass
            { T(2, 0, 1, 0, 0), T(1, 0, 0, 0, 0), O,               T(2, 0, 1, 0, 0) }, // G→P: call-1 fail. G→M: call-2 fail
            { T(3, 1, 0, 0, 0), T(1, 0, 0, 0, 1), T(3, 0, 1, 0, 0), O               }, // M→P: call-2 pass. M→S: call-1 blocked. M→G: call-2 fail
        };
        Assert.Equal(expected, table.Cells);
        Assert.Equal([T(7, 4, 2, 0, 0), T(5, 1, 0, 1, 0), T(5, 0, 2, 0, 0), T(7, 1, 1, 0, 1)], table.Rows);
        Assert.Equal([T(5, 1, 1, 0, 0), T(2, 0, 0, 0, 1), T(9, 3, 2, 1, 0), T(8, 2, 2, 0, 0)], table.Columns);
        Assert.Equal(T(24, 6, 5, 1, 1), table.Total);

        Assert.Equal(11, table.Total.Untested);
        Assert.Equal(11, table.Total.Executed);
        Assert.Equal(6.0 / 11, table.Total.Rate);
        Assert.Equal(13.0 / 24, table.Total.Progress);
        Assert.Null(table.Cells[1, 2].Rate); // S→G: only na, nothing executed
        Assert.Equal(0.5, table.Cells[1, 2].Progress); // S→G: one of two logged
        Assert.Null(table.Cells[0, 1].Progress); // P→S: nothing planned
    }

    [Fact]
    public void The_pair_view_sums_both_orders_into_a_symmetric_grid_counted_by_hand()
    {
        var table = MatrixTable.Build(Planning.Count(Cases, Products, false), Logged.CellCounts(Verdicts), MatrixView.Pair);

        var pg = T(6, 3, 2, 0, 0); // P→G (4, 3 pass, 1 fail) + G→P (2, 1 fail)
        var pm = T(6, 2, 1, 0, 0); // P→M (3, 1 pass, 1 fail) + M→P (3, 1 pass)
        var sg = T(3, 0, 0, 1, 0); // S→G (2, 1 na) + G→S (1)
        var sm = T(4, 1, 0, 0, 1); // S→M (3, 1 pass) + M→S (1, 1 blocked)
        var gm = T(5, 0, 2, 0, 0); // G→M (2, 1 fail) + M→G (3, 1 fail)
        Tally[,] expected =
        {
            //  P   S   G   M
            { O,  O,  pg, pm },
            { O,  O,  sg, sm },
            { pg, sg, O,  gm },
            { pm, sm, gm, O  },
        };
        Assert.Equal(expected, table.Cells);
        // A row is every pairing the product is part of; the total still counts each planned cell once.
        Tally[] everyPairing = [pg + pm, sg + sm, pg + sg + gm, pm + sm + gm];
        Assert.Equal([T(12, 5, 3, 0, 0), T(7, 1, 0, 1, 1), T(14, 3, 4, 1, 0), T(15, 3, 3, 0, 1)], everyPairing);
        Assert.Equal(everyPairing, table.Rows);
        Assert.Equal(everyPairing, table.Columns);
        Assert.Equal(T(24, 6, 5, 1, 1), table.Total);
    }

    [Fact]
    public void Each_technology_scope_has_its_own_planned_cells_and_verdicts()
    {
        MatrixTable Scope(string technology)
        {
            var cases = Cases.Where(c => c.Technology == technology).ToList();
            var ids = cases.Select(c => c.Id).ToHashSet();
            return MatrixTable.Build(Planning.Count(cases, Products, false),
                Logged.CellCounts(Verdicts.Where(v => ids.Contains(v.Case.Id))));
        }

        // WebRTC: dc-1 and ice-1 at P→G only (ice-2 is never planned): one pass, one fail.
        var webRtc = Scope("WebRTC");
        Assert.Equal(T(2, 1, 1, 0, 0), webRtc.Total);
        Assert.Equal(T(2, 1, 1, 0, 0), webRtc.Cells[0, 2]);
        // SIP: the other 22 cells and 11 verdicts.
        var sip = Scope("SIP");
        Assert.Equal(T(22, 5, 4, 1, 1), sip.Total);
        Assert.Equal(T(2, 2, 0, 0, 0), sip.Cells[0, 2]); // P→G: call-1 and call-2, both passed
        Assert.Equal(webRtc.Total + sip.Total, MatrixTable.Build(Planning.Count(Cases, Products, false), Logged.CellCounts(Verdicts)).Total);
    }

    [Fact]
    public void Per_case_figures_are_counted_by_hand_and_ranked_worst_first()
    {
        var passingPairs = Logged.PassingPairs(Verdicts);
        var ranking = CaseRanking.Rank(Cases, Planning.Count(Cases, Products, false), Logged.CaseCounts(Verdicts), passingPairs);

        Assert.Equal(
        [
            ("ice-1", T(1, 0, 1, 0, 0), 0L),   // rate 0
            ("call-2", T(6, 2, 2, 0, 0), 2L),  // rate 1/2, two failures: {P,G} and {M,P} passed
            ("sec-1", T(2, 1, 1, 0, 0), 1L),   // rate 1/2, one failure: {S,M} passed
            ("call-1", T(10, 2, 1, 0, 1), 2L), // rate 2/3: {P,G} and {P,M} passed
            ("dc-1", T(1, 1, 0, 0, 0), 1L),    // rate 1
            ("xfer-1", T(4, 0, 0, 1, 0), 0L),  // never executed (one na); plan sip-basic
            ("ice-2", T(0, 0, 0, 0, 0), 0L),   // never planned; plan webrtc-core after sip-basic
        ], ranking.Select(s => (s.Case.Key, s.Tally, s.PassingPairs)));

        Assert.Equal([0.0, 0.5, 0.5, 2.0 / 3, 1.0, null, null], ranking.Select(s => s.Tally.Rate));
        Assert.Equal([1.0, 4.0 / 6, 1.0, 4.0 / 10, 1.0, 1.0 / 4, null], ranking.Select(s => s.Tally.Progress));
        Assert.Equal([0L, 2L, 0L, 6L, 0L, 3L, 0L], ranking.Select(s => s.Tally.Untested));
    }
}
