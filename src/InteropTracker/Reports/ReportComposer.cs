using System.Globalization;
using System.Runtime.CompilerServices;
using InteropTracker.Matrix;

namespace InteropTracker.Reports;

/// <summary>
/// Turns an event's facts and numbers into the <see cref="ReportModel"/> both writers render, applying the
/// anonymisation rule in this one place: labels from <see cref="Anonymizer"/>, and no name, key, note, dispute
/// reason or issue reference carried into an anonymised model.
/// </summary>
public static class ReportComposer
{
    public static ReportModel Compose(ReportFacts facts, bool anonymise, DateTime generatedAt)
    {
        var participants = anonymise ? Anonymous(facts) : Named(facts);
        var byId = new Dictionary<long, ReportParticipant>(participants.Count);
        foreach (var (id, participant) in participants) byId[id] = participant;
        var ordered = participants.Select(p => p.Participant).ToList();

        var cases = facts.Cases.ToDictionary(c => c.Id, c => new ReportCase
        {
            Technology = c.Technology,
            Plan = c.Plan,
            PlanVersion = c.PlanVersion,
            Section = c.Section,
            SectionTitle = c.SectionTitle,
            Key = c.Key,
            Title = c.Title,
            Priority = c.Priority,
        });

        var matrices = facts.Matrices
            .Select(m => Arrange(m.Technology, m.Table, byId, anonymise))
            .ToList();
        var figures = facts.CaseStatistics
            .Select((s, i) => new ReportCaseFigures(i + 1, cases[s.Case.Id], s.Tally, s.PassingPairs))
            .ToList();

        return new ReportModel
        {
            Event = facts.Event,
            Anonymised = anonymise,
            GeneratedAt = DateTime.SpecifyKind(generatedAt, DateTimeKind.Utc),
            Summary = facts.Summary,
            Matrices = matrices,
            Cases = figures,
            Participants = ordered,
            Plans = facts.Plans,
            ResultCount = facts.ResultCount,
            // Results grouped by initiator in the order the participants are listed, so that an anonymised file does
            // not show the order in which products were registered.
            Results = Map(facts.Results(!anonymise, participants.Select(p => p.Id).ToList()), cases, byId, anonymise),
        };
    }

    private static List<(long Id, ReportParticipant Participant)> Named(ReportFacts facts)
    {
        // "Name version", as the API's matrix labels a product; the key is added where two would read the same.
        static string Label(ProductFacts p) => $"{p.Name} {p.Version}".Trim();
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
                Technologies = x.p.Technologies,
                Capabilities = x.p.Capabilities,
                Key = x.p.Key,
                Name = x.p.Name,
                Version = x.p.Version,
                OrganizationKey = x.p.OrganizationKey,
                OrganizationName = x.p.OrganizationName,
            }))
            .ToList();
    }

    /// <summary>Vendor A · 1, Vendor A · 2, Vendor B · 1, …: the order of the labels, which the event's secret drew.</summary>
    private static List<(long Id, ReportParticipant Participant)> Anonymous(ReportFacts facts)
    {
        var anonymizer = new Anonymizer(facts.AnonymizationSecret,
            facts.Products.Select(p => (p.Id, p.Key, p.OrganizationId, p.OrganizationKey)));
        return facts.Products
            .Select(p => (p, Organization: anonymizer.Organization(p.OrganizationId), Label: anonymizer.Product(p.Id)))
            .OrderBy(x => anonymizer.Position(x.p.Id))
            .Select((x, i) => (x.p.Id, new ReportParticipant
            {
                Index = i,
                Label = x.Label,
                OrganizationLabel = x.Organization,
                Kind = x.p.Kind,
                Technologies = x.p.Technologies,
                Capabilities = x.p.Capabilities,
            }))
            .ToList();
    }

    /// <summary>
    /// The technology's matrix over the same products as the API's (those declaring the technology), in the participants'
    /// display order, rebuilt through <see cref="MatrixTable.Build"/> so that its totals are computed as the API computes
    /// them. In the anonymised variant each contender carries only its label: the source table's carry product keys.
    /// </summary>
    private static ReportMatrix Arrange(string technology, MatrixTable table, Dictionary<long, ReportParticipant> byId, bool anonymise)
    {
        if (table.View != MatrixView.Ordered)
            throw new ArgumentException("A report matrix is the ordered view: rows initiators, columns responders.", nameof(table));
        var order = Enumerable.Range(0, table.Products.Count)
            .OrderBy(i => byId[table.Products[i].Id].Index)
            .ToArray();
        var products = order.Select(i => byId[table.Products[i].Id]).ToList();
        var contenders = anonymise
            ? products.Select(p => new Contender { Id = p.Index, Key = p.Label, OrganizationId = 0 }).ToList()
            : order.Select(i => table.Products[i]).ToList();
        var n = order.Length;
        var planned = new long[n, n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
                planned[i, j] = table.Cells[order[i], order[j]].Planned;
        var rebuilt = MatrixTable.Build(new PlannedCounts(contenders, planned, new Dictionary<long, long>()),
            Counts(table, order, contenders), MatrixView.Ordered);
        return new ReportMatrix(technology, rebuilt, products);
    }

    private static IEnumerable<CellCount> Counts(MatrixTable table, int[] order, List<Contender> contenders)
    {
        for (var i = 0; i < order.Length; i++)
            for (var j = 0; j < order.Length; j++)
            {
                var t = table.Cells[order[i], order[j]];
                if (t.Pass > 0) yield return new CellCount(contenders[i].Id, contenders[j].Id, Verdicts.Verdict.Pass, t.Pass);
                if (t.Fail > 0) yield return new CellCount(contenders[i].Id, contenders[j].Id, Verdicts.Verdict.Fail, t.Fail);
                if (t.Na > 0) yield return new CellCount(contenders[i].Id, contenders[j].Id, Verdicts.Verdict.Na, t.Na);
                if (t.Blocked > 0) yield return new CellCount(contenders[i].Id, contenders[j].Id, Verdicts.Verdict.Blocked, t.Blocked);
            }
    }

    private static async IAsyncEnumerable<ReportResult> Map(IAsyncEnumerable<StoredResult> rows,
        Dictionary<long, ReportCase> cases, Dictionary<long, ReportParticipant> byId, bool anonymise,
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
                anonymise ? null : row.Notes, anonymise ? null : row.Issue, anonymise ? null : row.StatusReason);
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

    public static string Legend(RateBand band) => band switch
    {
        RateBand.Full => "100%",
        RateBand.High => "75–99%",
        RateBand.Middle => "50–74%",
        RateBand.Low => "25–49%",
        RateBand.Poor => "below 25%",
        RateBand.NothingExecuted => "planned, nothing executed",
        _ => "not planned",
    };

    public static readonly IReadOnlyList<RateBand> InLegendOrder =
        [RateBand.Full, RateBand.High, RateBand.Middle, RateBand.Low, RateBand.Poor, RateBand.NothingExecuted, RateBand.NotPlanned];

    /// <summary>"83% 5/6": the rate (rounded down so that 99.6% never reads 100%) and pass/executed; "– 0/0" when nothing executed.</summary>
    public static string CellText(Tally tally) =>
        tally.Planned == 0 ? "" : $"{Percent(tally.Rate)} {tally.Pass}/{tally.Executed}";

    public static string Percent(double? rate) =>
        rate is { } r ? Math.Floor(r * 100).ToString("0", CultureInfo.InvariantCulture) + "%" : "–";
}
