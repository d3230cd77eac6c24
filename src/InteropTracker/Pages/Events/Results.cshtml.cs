using System.Text.Encodings.Web;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Engine;
using InteropTracker.Events;
using InteropTracker.Storage;
using InteropTracker.EventResults;
using InteropTracker.TestPlans;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;
using System.Data.Common;

namespace InteropTracker.Pages.Events;

/// <summary>What one case row shows and lets the viewer do.</summary>
/// <param name="Content">The case as its test plan states it (steps, expected results, references), opened on demand.</param>
/// <param name="Disagreement">What the two sides logged when their newest verdicts for the cell differ; null when they agree.</param>
public sealed record CaseCard(SheetRow Row, string Action, bool MayLog, bool MayReview, string? Message, bool IsError,
    TestCase? Content = null, string? Disagreement = null, long? Mine = null, string? IssueUrlTemplate = null)
{
    /// <summary>Which side starts, said from the side of the product the page is for (<paramref name="Mine"/>).</summary>
    public string Starts => !Row.Case.Case.Directional ? "either starts" : Row.Initiator.Id == Mine ? "you start" : "peer starts";

    public string StartsIcon => !Row.Case.Case.Directional ? "⇄" : Row.Initiator.Id == Mine ? "▶" : "◀";

    /// <summary>Changes whenever what the row shows of its result changes: the page script compares it with the live one.</summary>
    public string Signature => CaseSignature.Of(Row.Result, Disagreement);
}

/// <summary>The short text the pairing's live answer gives per cell, and the row carries, to tell which rows changed.</summary>
public static class CaseSignature
{
    public static string Of(ResultInfo? result, string? disagreement) =>
        result is null ? "" : $"{result.Id}.{result.Revision}.{result.Status}{(disagreement is null ? "" : ".differ")}";
}

/// <summary>
/// Results entry at the test table: the engineer picks their product and a peer and sets each planned case's verdict
/// in one click. Every post goes through the API's feature functions (the same checks: organization, planned cell, open event).
/// </summary>
public sealed class ResultsModel(Database database, PlanningCache plannings, IResultEngine engine) : PageModel, IShowsRefusal
{
    /// <summary>Set on the answer of a post the page script made, which swaps only the card it answers with.</summary>
    public const string FragmentHeader = "X-Fragment";

    [FromRoute(Name = "event")] public string Key { get; set; } = "";
    [FromQuery] public string? Product { get; set; }
    [FromQuery] public string? Peer { get; set; }
    [FromQuery] public bool Untested { get; set; }

    public Viewer Viewer { get; private set; } = null!;
    public EventPlanning Planning { get; private set; } = null!;

    /// <summary>The products the viewer may log for (an engineer's organization's; every participant for an admin).</summary>
    public IReadOnlyList<Participant> OwnProducts { get; private set; } = [];
    /// <summary>What the "Your product" list offers: the viewer's own products (every participant for one with none), and the product shown.</summary>
    public IReadOnlyList<Participant> ProductChoices { get; private set; } = [];

    public Participant? Me { get; private set; }
    public Participant? Them { get; private set; }
    public IReadOnlyList<PeerProgress> Peers { get; private set; } = [];
    public IReadOnlyList<CaseCard> Cards { get; private set; } = [];
    public long Planned { get; private set; }
    public long Logged { get; private set; }
    public long MandatoryUntested { get; private set; }

    /// <summary>Cells of the pairing whose two sides' newest verdicts differ.</summary>
    public long Disagreements { get; private set; }

    /// <summary>The signature of every cell of the pairing, by row id: what the live answer sends.</summary>
    public IReadOnlyDictionary<string, string> Signatures { get; private set; } = new Dictionary<string, string>();
    public PeerProgress? NextUntested { get; private set; }

    /// <summary>A refused post's reason when no card on show is the one it was for.</summary>
    public string? PageMessage { get; private set; }

    /// <summary>Why the viewer sees this pairing read-only; null when it may log.</summary>
    public string? ReadOnlyReason { get; private set; }

    private readonly Dictionary<string, (string Message, bool IsError)> _messages = new();

    [Performs(Permission.ReadEvents)]
    public async Task<IActionResult> OnGetAsync() => await LoadAsync() ? Page() : NotFound();

    /// <summary>
    /// What the page script polls every few seconds: the pairing's counts, the peers' labels and each cell's signature,
    /// so that the other side's entries and every count change in place without rendering a row that did not change.
    /// </summary>
    [Performs(Permission.ReadEvents)]
    public async Task<IActionResult> OnGetLiveAsync()
    {
        if (!await LoadAsync(withCards: false) || Me is null || Them is null) return NotFound();
        return new JsonResult(new
        {
            Planned, Logged, Untested = Planned - Logged, MandatoryUntested, Disagreements,
            Peers = Peers.Select(p => new { p.Peer.Key, p.Label }),
            Cells = Signatures,
        });
    }

    /// <summary>The rows named (their ids, comma-separated) as the page renders them: what the script swaps in for changed ones.</summary>
    [Performs(Permission.ReadEvents)]
    public async Task<IActionResult> OnGetRowsAsync(string? ids)
    {
        var wanted = (ids ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        if (!await LoadAsync(only: wanted) || Me is null || Them is null) return NotFound();
        Response.Headers[FragmentHeader] = "rows";
        return Partial("_CaseRows", Cards);
    }

    [Performs(Permission.LogResults)]
    public async Task<IActionResult> OnPostVerdictAsync(string plan, [FromForm(Name = "case")] string caseKey, string initiator,
        string responder, string? verdict, string? notes, string? issue, string? cause)
    {
        var body = new ResultInput
        {
            Plan = plan, Case = caseKey, Initiator = initiator, Responder = responder, Verdict = verdict ?? "", Notes = notes, Issue = issue,
            // The card's one form sends the cause with every verdict button; it belongs only to those that take one.
            Cause = VerdictNames.TryParse(verdict, out var given) && Causes.Allowed(given) ? cause : null,
            Attributes = AttributeFields.Read(Request.Form),
        };
        var outcome = await FeatureCall.RunAsync(body,
            b => LogResult.LogAsync(Key, b, HttpContext.Caller(), database, plannings, engine, HttpContext.RequestAborted));
        var anchor = await AnchorAsync(plan, caseKey, initiator, responder);
        return await AnswerAsync(outcome.Refusal, anchor,
            outcome.Value is { } r ? $"Saved: {Figures.Word(Figures.Parse(r.Verdict))} (revision {r.Revision})." : "");
    }

    [Performs(Permission.ReviewResults)]
    public async Task<IActionResult> OnPostConfirmAsync(long id, long? revision)
    {
        var outcome = await ResultsApi.ConfirmAsync(Key, id, revision, HttpContext.Caller(), database, plannings, engine);
        return await AnswerAsync(outcome.Refusal, await AnchorOfResultAsync(id), "Confirmed.");
    }

    [Performs(Permission.ReviewResults)]
    public async Task<IActionResult> OnPostDisputeAsync(long id, long? revision, string? reason)
    {
        var body = new ResultsApi.Dispute { Reason = reason?.Trim() ?? "", Revision = revision };
        var outcome = await FeatureCall.RunAsync(body, b => ResultsApi.DisputeAsync(Key, id, b, HttpContext.Caller(), database, plannings, engine));
        return await AnswerAsync(outcome.Refusal, await AnchorOfResultAsync(id), "Disputed.");
    }

    /// <summary>A write the caller's role may not make at all, refused before its handler runs: shown like any refusal.</summary>
    public async Task<IActionResult> ShowRefusalAsync(string why)
    {
        var form = Request.HasFormContentType ? await Request.ReadFormAsync(HttpContext.RequestAborted) : null;
        var anchor = form is null ? null
            : long.TryParse(form["id"], out var id) ? await AnchorOfResultAsync(id)
            : await AnchorAsync(form["plan"].ToString(), form["case"].ToString(), form["initiator"].ToString(), form["responder"].ToString());
        return await AnswerAsync(Refusal.Forbidden(why), anchor, "");
    }

    /// <summary>
    /// Shows what came of a post with its status: beside the case it was for (the whole page, or for the script the one
    /// card), or at the top of the page when no card of this pairing is the one posted for.
    /// </summary>
    private async Task<IActionResult> AnswerAsync(Refusal? refusal, string? anchor, string done)
    {
        // A plain form post that was saved goes straight back to the pairing, which is read then, once.
        if (refusal is null && !IsFragment) return Redirect(Link() + (anchor is null ? "" : "#" + anchor));
        var message = refusal is null ? done : string.Join(" ", refusal.Messages());
        if (anchor is not null) _messages[anchor] = (message, refusal is not null);
        if (!await LoadAsync()) return NotFound();
        var card = Cards.FirstOrDefault(c => c.Row.Anchor == anchor);

        if (IsFragment)
        {
            Response.Headers[FragmentHeader] = "card";
            if (refusal is not null) Response.StatusCode = refusal.Status();
            return card is not null ? Partial("_CaseCard", card) : Content(MessageItem(message, refusal is not null), "text/html");
        }
        if (card is null) PageMessage = message;
        Response.StatusCode = refusal!.Status();
        return Page();
    }

    /// <summary>What the script swaps in for a card when the post was for no card of the pairing on show.</summary>
    private static string MessageItem(string message, bool isError) =>
        $"<li class=\"case\" data-replace-target tabindex=\"-1\"><p class=\"case__message case__message--{(isError ? "error" : "ok")}\" " +
        $"role=\"{(isError ? "alert" : "status")}\" data-focus-after tabindex=\"-1\">{HtmlEncoder.Default.Encode(message)}</p></li>";

    private bool IsFragment => Request.Headers["X-Requested-With"] == "fetch";

    public string Link(string? handler = null, string? peer = null, bool? untested = null)
    {
        var query = new List<string>();
        if (handler is not null) query.Add($"handler={handler}");
        if (Product is not null) query.Add($"product={Uri.EscapeDataString(Product)}");
        if ((peer ?? Peer) is { } p) query.Add($"peer={Uri.EscapeDataString(p)}");
        if (untested ?? Untested) query.Add("untested=true");
        return $"/events/{Uri.EscapeDataString(Key)}/results" + (query.Count > 0 ? "?" + string.Join('&', query) : "");
    }

    private async Task<string?> AnchorAsync(string plan, string caseKey, string initiator, string responder)
    {
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        var planning = await plannings.GetAsync(connection, Key);
        if (planning?.FindCase(plan, caseKey) is not { } planned) return null;
        if (planning.FindParticipant(initiator) is not { } a || planning.FindParticipant(responder) is not { } b) return null;
        var (first, second) = InteropTracker.Core.Planning.Stored(planned, a, b);
        return $"cell-{planned.Id}-{first.Id}-{second.Id}";
    }

    private async Task<string?> AnchorOfResultAsync(long id)
    {
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        var gate = await EventGate.OpenAsync(connection, plannings, Key, HttpContext.Caller(), EventNeed.Read);
        if (gate.Value is not { } planning || await ResultStore.FindAsync(connection, planning.Event.Id, id) is not { } result) return null;
        return await AnchorAsync(result.Plan, result.Case, result.Initiator, result.Responder);
    }

    /// <param name="withCards">False: only the counts and signatures (the live answer).</param>
    /// <param name="only">When given, cards only for these row ids.</param>
    private async Task<bool> LoadAsync(bool withCards = true, IReadOnlySet<string>? only = null)
    {
        Viewer = (await Viewer.OfAsync(HttpContext))!;
        await using var connection = await database.OpenAsync(HttpContext.RequestAborted);
        await using var transaction = connection.BeginSnapshot();
        if ((await EventGate.OpenAsync(connection, plannings, Key, Viewer.Caller, EventNeed.Read, transaction)).Value is not { } planning)
            return false;
        Planning = planning;

        var caller = Viewer.Caller;
        OwnProducts = planning.Participants
            .Where(p => caller.IsAdmin || (caller.IsEngineer && p.OrganizationId == caller.OrganizationId))
            .ToList();
        Me = Product is null ? OwnProducts.FirstOrDefault() : planning.FindParticipant(Product);
        // A pairing the viewer only reads (another vendor's product) stays the one chosen in the list.
        ProductChoices = OwnProducts.Count == 0 ? planning.Participants
            : Me is not null && !OwnProducts.Contains(Me) ? [Me, .. OwnProducts] : OwnProducts;
        if (Me is null) return true;
        Product = Me.Key;

        var results = await PairingSheet.ResultsOfAsync(connection, planning, Me);
        Peers = PairingSheet.Peers(planning, Me, results);
        // With no peer asked for, the one with the most mandatory work left: the page opens on a pairing, not empty.
        Them = Peer is null ? Peers.FirstOrDefault()?.Peer : planning.FindParticipant(Peer);
        if (Them is null || Them.Id == Me.Id) { Them = null; return true; }
        Peer = Them.Key;

        ReadOnlyReason = EventGate.Check(planning, Key, caller, EventNeed.Write).Refusal?.Detail
            ?? Permissions.WhyCannotLog(caller, Me.OrganizationId, Them.OrganizationId, $"{Me.Key} → {Them.Key}");

        var rows = PairingSheet.Rows(planning, Me, Them, null, forward: false, results);
        Planned = rows.Count;
        Logged = rows.Count(r => r.Result is not null);
        MandatoryUntested = rows.Count(r => r.Result is null && r.Case.Priority == Priorities.Mandatory);
        var current = Peers.ToList().FindIndex(p => p.Peer.Id == Them.Id);
        NextUntested = Peers.Skip(current + 1).Concat(Peers.Take(Math.Max(current, 0))).FirstOrDefault(p => p.Untested > 0);

        var disagreements = await DisagreementsAsync(connection, transaction, rows);
        Disagreements = disagreements.Count;
        Signatures = rows.ToDictionary(r => r.Anchor, r => CaseSignature.Of(r.Result, disagreements.GetValueOrDefault(r.Anchor)));
        if (!withCards) return true;

        var contents = await PairingSheet.ContentsAsync(connection, planning);
        // Reviews outlast logging: a closed event in its review window still takes them.
        var reviews = EventGate.Check(planning, Key, caller, EventNeed.Review).Refusal is null;
        var shown = rows.Where(r => only is null || only.Contains(r.Anchor)).ToList();
        var authorships = reviews
            ? await ResultStore.AuthorshipsAsync(connection, planning.Event.Id, shown.Where(r => r.Result is not null).Select(r => r.Result!.Id).ToList(), transaction)
            : new Dictionary<long, ResultRules.Authorship>();
        var cards = new List<CaseCard>();
        foreach (var row in shown)
        {
            var mayReview = row.Result is { } result && authorships.TryGetValue(result.Id, out var authorship)
                && ResultRules.WhyCannotReview(caller, authorship) is null;
            var message = _messages.GetValueOrDefault(row.Anchor);
            cards.Add(new CaseCard(row, Link(), ReadOnlyReason is null, mayReview, message.Message, message.IsError,
                contents.GetValueOrDefault((row.Case.Case.Plan, row.Case.Case.Key)), disagreements.GetValueOrDefault(row.Anchor), Me.Id,
                Planning.Event.IssueUrlTemplate));
        }
        Cards = cards;
        return true;
    }

    /// <summary>For each row whose two sides' newest verdicts differ, what each side logged, by row id.</summary>
    private async Task<IReadOnlyDictionary<string, string>> DisagreementsAsync(DbConnection connection, DbTransaction transaction,
        IReadOnlyList<SheetRow> rows)
    {
        var logged = rows.Where(r => r.Result is not null).ToDictionary(r => r.Result!.Id);
        // An array: PostgreSQL takes the ids as one array parameter, which Npgsql writes from an array or a list only.
        var sides = await SideVerdicts.NewestAsync(connection, logged.Keys.ToArray(), transaction);
        var found = new Dictionary<string, string>();
        foreach (var group in sides.GroupBy(s => s.ResultId))
        {
            var row = logged[group.Key];
            var initiatorSide = group.FirstOrDefault(s => s.OrganizationId == row.Initiator.OrganizationId);
            var responderSide = group.FirstOrDefault(s => s.OrganizationId == row.Responder.OrganizationId);
            if (initiatorSide is null || responderSide is null || initiatorSide.Verdict == responderSide.Verdict) continue;
            found[row.Anchor] = $"{row.Initiator.OrganizationName} ({initiatorSide.RecordedBy}) logged {Figures.Word(Figures.Parse(initiatorSide.Verdict))}; " +
                                $"{row.Responder.OrganizationName} ({responderSide.RecordedBy}) logged {Figures.Word(Figures.Parse(responderSide.Verdict))}.";
        }
        return found;
    }
}
