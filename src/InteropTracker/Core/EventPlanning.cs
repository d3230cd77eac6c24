using System.Text.Json.Serialization;

namespace InteropTracker.Core;

/// <summary>An event as the database stores it. The anonymization secret never leaves the server.</summary>
public sealed record EventRow
{
    public long Id { get; init; }
    public string Key { get; init; } = "";
    public string Name { get; init; } = "";
    public string Location { get; init; } = "";
    public string StartDate { get; init; } = "";
    public string EndDate { get; init; } = "";
    public string Status { get; init; } = EventStatus.Draft;
    public bool Published { get; init; }
    public bool IncludeSameOrganization { get; init; }
    /// <summary>Where an issue reference links to (<see cref="IssueLinks"/>); null: references are not linked.</summary>
    public string? IssueUrlTemplate { get; init; }
    public string Secret { get; init; } = "";
    public string CreatedAt { get; init; } = "";
    public string UpdatedAt { get; init; } = "";

    /// <summary>
    /// Until when (ISO-8601 UTC) each vendor's engineers review their results in the closed event (confirm or dispute)
    /// before the chair may publish; null: no review window.
    /// </summary>
    public string? ReviewUntil { get; init; }

    /// <summary>The snapshot a publication serves: its reports' bytes are every download's, whatever changes after.</summary>
    public long? PublishedSnapshot { get; init; }

    public bool IsClosed => Status == EventStatus.Closed;
    public bool IsOpen => Status == EventStatus.Open;

    /// <summary>Whether the review window is still running at <paramref name="now"/> (a closed event only).</summary>
    public bool InReview(string now) => IsClosed && ReviewUntil is { } until && string.CompareOrdinal(now, until) < 0;

    /// <summary>Whether figures shown now may still change: every event until it is closed and published.</summary>
    public bool IsProvisional => !(IsClosed && Published);
}

public static class EventStatus
{
    public const string Draft = "draft";
    public const string Open = "open";
    public const string Closed = "closed";

    /// <summary>The order an event moves through; it never moves back.</summary>
    private static readonly string[] Order = [Draft, Open, Closed];

    /// <summary>The position of a status in draft → open → closed.</summary>
    public static int Rank(string status) => Array.IndexOf(Order, status);
}

/// <summary>A test-plan version pinned in an event.</summary>
public sealed record PinnedPlan
{
    [JsonIgnore] public long Id { get; init; }

    /// <summary>The event that pins it, when a query reads the plans of several events at once.</summary>
    [JsonIgnore] public long EventId { get; init; }

    public string Plan { get; init; } = "";
    public string Version { get; init; } = "";
    public string Title { get; init; } = "";
    public string Technology { get; init; } = "";
    public long Cases { get; init; }
}

/// <summary>What people read about a pinned case beyond what planning needs.</summary>
public sealed record CaseDetails
{
    public required PlannedCase Case { get; init; }
    public required string PlanVersion { get; init; }
    public required string PlanTitle { get; init; }
    public required string SectionTitle { get; init; }
    public required string Title { get; init; }
    public required string Priority { get; init; }
    public required long Ordinal { get; init; }
}

/// <summary>
/// Everything an event's numbers and checks stand on: the event, its pinned plans and cases, and its participants with
/// what they declare. Every feature that counts or validates cells reads this (loaded by <c>EventStore.PlanningAsync</c>).
/// </summary>
public sealed class EventPlanning
{
    private readonly Dictionary<string, PinnedPlan> _plans;
    private readonly Dictionary<(string Plan, string Case), PlannedCase> _cases;
    private readonly Dictionary<long, CaseDetails> _details;
    private readonly Dictionary<string, Participant> _byKey;
    private readonly Dictionary<long, Participant> _byId;

    public EventPlanning(EventRow row, IReadOnlyList<PinnedPlan> plans, IReadOnlyList<CaseDetails> cases,
        IReadOnlyList<Participant> participants)
    {
        Event = row;
        Plans = plans;
        Cases = cases.Select(c => c.Case).ToList();
        Participants = participants;
        _plans = plans.ToDictionary(p => p.Plan, StringComparer.Ordinal);
        _cases = cases.ToDictionary(c => (c.Case.Plan, c.Case.Key), c => c.Case);
        _details = cases.ToDictionary(c => c.Case.Id);
        _byKey = participants.ToDictionary(p => p.Key, StringComparer.Ordinal);
        _byId = participants.ToDictionary(p => p.Id);
    }

    public EventRow Event { get; }

    /// <summary>The pinned plan versions, by plan key.</summary>
    public IReadOnlyList<PinnedPlan> Plans { get; }

    /// <summary>Every pinned case, by plan key then document order.</summary>
    public IReadOnlyList<PlannedCase> Cases { get; }

    /// <summary>The participants, by product key (ordinal).</summary>
    public IReadOnlyList<Participant> Participants { get; }

    public PinnedPlan? FindPlan(string plan) => _plans.GetValueOrDefault(plan);

    public PlannedCase? FindCase(string plan, string caseKey) => _cases.GetValueOrDefault((plan, caseKey));

    public CaseDetails Details(long caseId) => _details[caseId];

    public Participant? FindParticipant(string productKey) => _byKey.GetValueOrDefault(productKey);

    public Participant Participant(long productId) => _byId[productId];
}
