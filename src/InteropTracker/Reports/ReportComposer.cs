using System.Globalization;
using System.Runtime.CompilerServices;
using InteropTracker.Core;
using InteropTracker.Matrix;

namespace InteropTracker.Reports;

/// <summary>
/// Turns an event's facts and numbers into the <see cref="ReportModel"/> both writers render, applying the
/// anonymisation rule in this one place: no name, key, note, dispute reason or issue reference carried into an
/// anonymised model, and nothing that ties one product to what the catalogue says about it.
/// </summary>
/// <remarks>
/// Every engineer can read the catalogue of its events (each participant's kind, technologies, capabilities, version and
/// organization) and compute from it all that planning computes: which cases are planned for which pair, so each
/// product's planned and untested counts, the matrices it appears in, how many products its organization brings.
/// Whatever an anonymised report shows per product, joined together, must therefore fit at least two products. So the
/// anonymised model keeps what the report is for (totals per technology and plan, per-case figures, and per
/// technology a matrix of pass / executed per cell) and leaves out, or makes coarser, what singles products out:
/// <list type="bullet">
/// <item>no participant list (kind, technologies, capabilities per product), only counts per technology and per kind;</item>
/// <item>matrix labels drawn per technology (<see cref="Anonymizer"/>), so no label spans technologies and the set of
/// matrices a product is in (its technologies) does not show;</item>
/// <item>matrix tallies with planned counts withheld (<see cref="Anonymizer.Withheld"/>): no planned, untested or
/// progress per product or cell, and a cell with nothing logged is empty whether it was planned or not;</item>
/// <item>no results (which cases a product has results in shows its capabilities), hence no revisions or update times;
/// no per-product sheets; the date it was made without the time;</item>
/// <item>no evidence counts per cell, nor any evidence name (the named report has counts, never names).</item>
/// </list>
/// </remarks>
public static class ReportComposer
{
    public static ReportModel Compose(ReportFacts facts, bool anonymise, DateTime generatedAt)
    {
        var cases = facts.Cases.ToDictionary(c => c.Case.Id, c => new ReportCase
        {
            Technology = c.Case.Technology,
            Plan = c.Case.Plan,
            PlanVersion = c.PlanVersion,
            Section = c.Case.Section,
            SectionTitle = c.SectionTitle,
            Key = c.Case.Key,
            Title = c.Title,
            Priority = c.Priority,
        });
        var figures = facts.CaseStatistics
            .Select((s, i) => new ReportCaseFigures(i + 1, cases[s.Case.Id], s.Tally, s.PassingPairs))
            .ToList();
        var at = DateTime.SpecifyKind(generatedAt, DateTimeKind.Utc);

        var model = new ReportModel
        {
            Event = anonymise ? facts.Event with { IssueUrlTemplate = null } : facts.Event,
            Anonymised = anonymise,
            GeneratedAt = anonymise ? at.Date : at,
            Summary = facts.Summary,
            Matrices = [],
            Cases = figures,
            Participants = [],
            ProductCount = facts.Products.Count,
            OrganizationCount = facts.Products.Select(p => p.OrganizationId).Distinct().Count(),
            TechnologyLineup = facts.Matrices
                .Select(m => new LineupRow(m.Technology, m.Table.Products.Count,
                    m.Table.Products.Select(p => p.OrganizationId).Distinct().Count()))
                .ToList(),
            KindLineup = facts.Products
                .GroupBy(p => p.Kind, StringComparer.OrdinalIgnoreCase)
                .Select(g => new LineupRow(g.Key, g.Count(), g.Select(p => p.OrganizationId).Distinct().Count()))
                .OrderByDescending(k => k.Products).ThenBy(k => k.Name, StringComparer.Ordinal)
                .ToList(),
            Plans = facts.Plans.Select(p => p with { Attributes = Declared(facts, p.Plan) }).ToList(),
            ResultCount = 0,
            Results = AsyncEnumerable.Empty<ReportResult>(),
            Feedback = Feedback(facts, cases, anonymise),
            AttributeShares = Shares(facts),
        };
        if (anonymise)
            return model with { Matrices = facts.Matrices.Select(m => Anonymous(facts, m.Technology, m.Table)).ToList() };

        var participants = Named(facts);
        var byId = new Dictionary<long, ReportParticipant>(participants.Count);
        foreach (var (id, participant) in participants) byId[id] = participant;
        var technologyOf = facts.Cases.ToDictionary(c => c.Case.Id, c => c.Case.Technology);
        return model with
        {
            Matrices = facts.Matrices.Select(m =>
            {
                var arranged = Arrange(m.Technology, m.Table, byId);
                return arranged with { Evidence = Evidence(facts, technologyOf, arranged) };
            }).ToList(),
            Participants = participants.Select(p => p.Participant).ToList(),
            ResultCount = facts.ResultCount,
            // Results grouped by initiator in the order the participants are listed.
            Results = Map(facts.Results(participants.Select(p => p.Id).ToList()), cases, byId),
        };
    }

    /// <summary>Per case with a fail or blocked result: its failures by cause, those of the documents first, then the most failures.</summary>
    /// <remarks>
    /// Anonymised, without the references: section numbers read like product versions, which that variant never carries.
    /// </remarks>
    private static List<ReportFeedback> Feedback(ReportFacts facts, Dictionary<long, ReportCase> cases, bool anonymise) =>
        facts.Causes.GroupBy(c => c.CaseId).Where(g => cases.ContainsKey(g.Key)).Select(g =>
            {
                var byCause = new long[ReportFeedback.Columns.Count];
                foreach (var count in g)
                    byCause[Causes.Index(count.Cause) is >= 0 and var i ? i : byCause.Length - 1] += count.Count;
                return new ReportFeedback(cases[g.Key], anonymise ? [] : facts.References.GetValueOrDefault(g.Key, []),
                    g.Where(c => c.Verdict == Verdict.Fail).Sum(c => c.Count), g.Where(c => c.Verdict == Verdict.Blocked).Sum(c => c.Count),
                    byCause);
            })
            .OrderByDescending(f => f.OfTheDocuments).ThenByDescending(f => f.Fail + f.Blocked)
            .ThenBy(f => f.Case.Plan, StringComparer.Ordinal).ThenBy(f => f.Case.Key, StringComparer.Ordinal)
            .ToList();

    /// <summary>
    /// The API's attribute shares, less the technology rows of a technology that has one plan: its plan's rows give the
    /// same figures, under the plan's name.
    /// </summary>
    private static List<AttributeShare> Shares(ReportFacts facts)
    {
        var alone = facts.Summary.Plans.GroupBy(p => p.Technology, StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Count() == 1).Select(g => g.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return facts.AttributeShares.Where(s => s.Plan is not null || !alone.Contains(s.Technology)).ToList();
    }

    /// <summary>The attributes a plan declares (each of its cases carries the plan's declaration).</summary>
    private static IReadOnlyDictionary<string, IReadOnlyList<string>> Declared(ReportFacts facts, string plan) =>
        facts.Cases.FirstOrDefault(c => c.Case.Plan == plan)?.Case.Attributes ?? ResultAttributes.None;

    /// <summary>
    /// The evidence files of the technology's cells, placed as the arranged matrix places its products. Only the named
    /// report has them: which pairs attached traces is known to those pairs' vendors, and would help them tell an
    /// anonymised label from another, while telling a reader outside the event nothing it needs.
    /// </summary>
    private static ReportEvidence Evidence(ReportFacts facts, IReadOnlyDictionary<long, string> technology, ReportMatrix matrix)
    {
        var position = new Dictionary<long, int>();
        for (var i = 0; i < matrix.Table.Products.Count; i++) position[matrix.Table.Products[i].Id] = i;
        var files = new long[position.Count, position.Count];
        foreach (var e in facts.Evidence)
            if (technology.TryGetValue(e.CaseId, out var t) && string.Equals(t, matrix.Technology, StringComparison.OrdinalIgnoreCase)
                && position.TryGetValue(e.InitiatorId, out var i) && position.TryGetValue(e.ResponderId, out var j))
                files[i, j] += e.Files;
        return new ReportEvidence(files);
    }

    private static List<(long Id, ReportParticipant Participant)> Named(ReportFacts facts)
    {
        // "Name version", as the API's matrix labels a product; the key is added where two would read the same.
        static string Label(Participant p) => $"{p.Name} {p.Version}".Trim();
        var duplicated = facts.Products.GroupBy(Label, StringComparer.OrdinalIgnoreCase)
            .Where(g => g.Count() > 1).Select(g => g.Key).ToHashSet(StringComparer.OrdinalIgnoreCase);
        return facts.Products
            .Select(p => (p, Label: duplicated.Contains(Label(p)) ? $"{Label(p)} ({p.Key})" : Label(p)))
            .OrderBy(x => x.p.OrganizationName, StringComparer.OrdinalIgnoreCase)
            .ThenBy(x => x.Label, StringComparer.OrdinalIgnoreCase)
            .ThenBy(x => x.p.Key, StringComparer.Ordinal)
            .Select((x, i) => (x.p.Id, new ReportParticipant
            {
                Index = i,
                Label = x.Label,
                OrganizationLabel = x.p.OrganizationName,
                Kind = x.p.Kind,
                Technologies = x.p.Technologies.Order(StringComparer.OrdinalIgnoreCase).ToList(),
                Capabilities = x.p.Capabilities.Order(StringComparer.Ordinal).ToList(),
                Key = x.p.Key,
                Name = x.p.Name,
                Version = x.p.Version,
                OrganizationKey = x.p.OrganizationKey,
                OrganizationName = x.p.OrganizationName,
            }))
            .ToList();
    }

    /// <summary>
    /// The technology's matrix over the same products as the API's (those declaring the technology), in the participants'
    /// display order, rebuilt through <see cref="MatrixTable.Build"/> so that its totals are computed as the API computes them.
    /// </summary>
    private static ReportMatrix Arrange(string technology, MatrixTable table, Dictionary<long, ReportParticipant> byId)
    {
        var order = Enumerable.Range(0, OrderedView(table).Products.Count)
            .OrderBy(i => byId[table.Products[i].Id].Index)
            .ToArray();
        var products = order.Select(i => byId[table.Products[i].Id]).ToList();
        return new ReportMatrix(technology, Rebuild(table, order, order.Select(i => table.Products[i]).ToList(), t => t.Planned),
            products);
    }

    /// <summary>
    /// The technology's matrix as the anonymised report shows it, as the API's anonymised matrix does: labels drawn for
    /// this technology, in label order, each carrying only its label (the source table's carry product keys),
    /// and planned counts withheld.
    /// </summary>
    private static ReportMatrix Anonymous(ReportFacts facts, string technology, MatrixTable table)
    {
        var organizationKeys = facts.Products.ToDictionary(p => p.Id, p => p.OrganizationKey);
        var anonymizer = new Anonymizer(facts.AnonymizationSecret, technology,
            OrderedView(table).Products.Select(p => (p.Id, p.Key, p.OrganizationId, organizationKeys[p.Id])));
        var order = Enumerable.Range(0, table.Products.Count)
            .OrderBy(i => anonymizer.Position(table.Products[i].Id))
            .ToArray();
        var products = order.Select((i, k) => new ReportParticipant
        {
            Index = k,
            Label = anonymizer.Product(table.Products[i].Id),
            OrganizationLabel = anonymizer.Organization(table.Products[i].OrganizationId),
        }).ToList();
        var labelled = products.Select(p => new Participant { Id = p.Index, Key = p.Label, OrganizationId = 0 }).ToList();
        return new ReportMatrix(technology, Rebuild(table, order, labelled, t => Anonymizer.Withheld(t).Planned), products);
    }

    private static MatrixTable OrderedView(MatrixTable table) => table.View == MatrixView.Ordered
        ? table
        : throw new ArgumentException("A report matrix is the ordered view: rows initiators, columns responders.", nameof(table));

    /// <summary>The table with its products in the given order, as the given labelled participants, each cell planned as said.</summary>
    private static MatrixTable Rebuild(MatrixTable table, int[] order, List<Participant> labelled, Func<Tally, long> planned)
    {
        var n = order.Length;
        var cells = new long[n, n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                cells[i, j] = planned(table.Cells[order[i], order[j]]);
        return MatrixTable.Build(new PlannedCounts(labelled, cells, new Dictionary<long, long>()),
            Counts(table, order, labelled), MatrixView.Ordered);
    }

    private static IEnumerable<CellCount> Counts(MatrixTable table, int[] order, List<Participant> labelled)
    {
        for (var i = 0; i < order.Length; i++)
            for (var j = 0; j < order.Length; j++)
            {
                var t = table.Cells[order[i], order[j]];
                if (t.Pass > 0) yield return new CellCount(labelled[i].Id, labelled[j].Id, Verdict.Pass, t.Pass);
                if (t.Fail > 0) yield return new CellCount(labelled[i].Id, labelled[j].Id, Verdict.Fail, t.Fail);
                if (t.Na > 0) yield return new CellCount(labelled[i].Id, labelled[j].Id, Verdict.Na, t.Na);
                if (t.Blocked > 0) yield return new CellCount(labelled[i].Id, labelled[j].Id, Verdict.Blocked, t.Blocked);
            }
    }

    private static async IAsyncEnumerable<ReportResult> Map(IAsyncEnumerable<StoredResult> rows,
        Dictionary<long, ReportCase> cases, Dictionary<long, ReportParticipant> byId,
        [EnumeratorCancellation] CancellationToken ct = default)
    {
        await foreach (var row in rows.WithCancellation(ct))
        {
            // A result is only accepted for a pinned case between two participants; one that is not (a damaged
            // database) is left out here just as the matrix and the summary leave it out of every count.
            if (!cases.TryGetValue(row.CaseId, out var c) || !byId.TryGetValue(row.InitiatorId, out var initiator)
                || !byId.TryGetValue(row.ResponderId, out var responder))
                continue;
            yield return new ReportResult(c, initiator, responder, row.Verdict, row.Status, row.Revision, row.UpdatedAt,
                row.Notes, row.Issue, row.StatusReason, row.Cause, row.Evidence);
        }
    }
}

/// <summary>The colour bands of a matrix cell, the same in the workbook and the PDF.</summary>
public enum RateBand { NotPlanned, NothingExecuted, Full, High, Middle, Low, Poor }

public static class RateBands
{
    public static RateBand Of(Tally tally) => tally switch
    {
        { Planned: 0 } => RateBand.NotPlanned,
        { Rate: null } => RateBand.NothingExecuted,
        { Rate: >= 1.0 } => RateBand.Full,
        { Rate: >= 0.75 } => RateBand.High,
        { Rate: >= 0.5 } => RateBand.Middle,
        { Rate: >= 0.25 } => RateBand.Low,
        _ => RateBand.Poor,
    };

    /// <summary>Fill colour as RGB; null for a cell with nothing planned (left blank).</summary>
    public static (byte R, byte G, byte B)? Colour(RateBand band) => band switch
    {
        RateBand.Full => (0x4C, 0xAF, 0x50),
        RateBand.High => (0xC5, 0xE1, 0xA5),
        RateBand.Middle => (0xFF, 0xEB, 0x84),
        RateBand.Low => (0xFF, 0xB7, 0x4D),
        RateBand.Poor => (0xE5, 0x73, 0x73),
        RateBand.NothingExecuted => (0xD9, 0xD9, 0xD9),
        _ => null,
    };

    /// <summary>
    /// What a band means. Anonymised matrices withhold planned counts, so there an empty cell is one with nothing
    /// logged (planned or not), and a grey one has only not-applicable or blocked verdicts.
    /// </summary>
    public static string Legend(RateBand band, bool anonymised = false) => band switch
    {
        RateBand.Full => "100%",
        RateBand.High => "75–99%",
        RateBand.Middle => "50–74%",
        RateBand.Low => "25–49%",
        RateBand.Poor => "below 25%",
        RateBand.NothingExecuted => anonymised ? "nothing executed" : "planned, nothing executed",
        _ => anonymised ? "nothing logged" : "not planned",
    };

    public static readonly IReadOnlyList<RateBand> InLegendOrder =
        [RateBand.Full, RateBand.High, RateBand.Middle, RateBand.Low, RateBand.Poor, RateBand.NothingExecuted, RateBand.NotPlanned];

    /// <summary>"83% 5/6": the rate (rounded down so that 99.6% never reads 100%) and pass/executed; "– 0/0" when nothing executed.</summary>
    public static string CellText(Tally tally) =>
        tally.Planned == 0 ? "" : $"{Percent(tally.Rate)} {tally.Pass}/{tally.Executed}";

    public static string Percent(double? rate) =>
        rate is { } r ? Math.Floor(r * 100).ToString("0", CultureInfo.InvariantCulture) + "%" : "–";
}

/// <summary>How a cell of the evidence grid reads, the same in the workbook and the PDF.</summary>
public enum EvidenceMark { Attached, Missing, None }

public static class EvidenceMarks
{
    /// <summary>
    /// A cell with files attached; one with failed or blocked results and none (the traces a chair asks for); any other
    /// (nothing failed, or nothing planned: the matrix tells which) is left blank.
    /// </summary>
    public static EvidenceMark Of(long files, Tally cell) => (files, cell) switch
    {
        ( > 0, _) => EvidenceMark.Attached,
        (_, { Fail: 0, Blocked: 0 }) => EvidenceMark.None,
        _ => EvidenceMark.Missing,
    };

    /// <summary>Fill colour as RGB; null for a cell left white.</summary>
    public static (byte R, byte G, byte B)? Colour(EvidenceMark mark) => mark switch
    {
        EvidenceMark.Attached => (0xBB, 0xDE, 0xFB),
        EvidenceMark.Missing => (0xFF, 0xD5, 0x80),
        _ => null,
    };

    public static string Legend(EvidenceMark mark) => mark switch
    {
        EvidenceMark.Attached => "files attached",
        EvidenceMark.Missing => "failed or blocked, none attached",
        _ => "nothing failed, none attached",
    };

    /// <summary>What the cell shows: its file count, a 0 where failures have none, nothing otherwise.</summary>
    public static long? Figure(long files, EvidenceMark mark) => mark switch
    {
        EvidenceMark.Attached => files,
        EvidenceMark.Missing => 0,
        _ => null,
    };

    public static readonly IReadOnlyList<EvidenceMark> InLegendOrder = [EvidenceMark.Attached, EvidenceMark.Missing, EvidenceMark.None];
}
