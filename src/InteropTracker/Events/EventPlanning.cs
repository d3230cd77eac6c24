using System.Text.Json.Serialization;
using Dapper;
using InteropTracker.Matrix;
using InteropTracker.Vendors;
using Microsoft.Data.Sqlite;

namespace InteropTracker.Events;

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
    public string Secret { get; init; } = "";
    public string CreatedAt { get; init; } = "";
    public string UpdatedAt { get; init; } = "";

    public bool IsClosed => Status == EventStatus.Closed;
    public bool IsOpen => Status == EventStatus.Open;
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

/// <summary>A participant: the product as planning sees it, and what people read about it.</summary>
public sealed record ParticipantDetails
{
    public required Contender Contender { get; init; }
    public required string Name { get; init; }
    public required string Version { get; init; }
    public required string Kind { get; init; }
    public required string OrganizationKey { get; init; }
    public required string OrganizationName { get; init; }
    public required string AddedAt { get; init; }

    public long Id => Contender.Id;
    public string Key => Contender.Key;
    public long OrganizationId => Contender.OrganizationId;
}

/// <summary>
/// Everything an event's numbers and checks stand on, loaded in one round trip: the event, its pinned plans and
/// cases, and its participants with what they declare. Every feature that counts or validates cells loads this.
/// </summary>
public sealed class EventPlanning
{
    private readonly Dictionary<string, PinnedPlan> _plans;
    private readonly Dictionary<(string Plan, string Case), PlannedCase> _cases;
    private readonly Dictionary<long, CaseDetails> _details;
    private readonly Dictionary<string, ParticipantDetails> _byKey;
    private readonly Dictionary<long, ParticipantDetails> _byId;

    private EventPlanning(EventRow row, IReadOnlyList<PinnedPlan> plans, IReadOnlyList<CaseDetails> cases,
        IReadOnlyList<ParticipantDetails> participants)
    {
        Event = row;
        Plans = plans;
        Cases = cases.Select(c => c.Case).ToList();
        Participants = participants;
        Contenders = participants.Select(p => p.Contender).ToList();
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
    public IReadOnlyList<ParticipantDetails> Participants { get; }

    /// <summary>The participants as planning sees them, in the order of <see cref="Participants"/>.</summary>
    public IReadOnlyList<Contender> Contenders { get; }

    public PinnedPlan? FindPlan(string plan) => _plans.GetValueOrDefault(plan);

    public PlannedCase? FindCase(string plan, string caseKey) => _cases.GetValueOrDefault((plan, caseKey));

    public CaseDetails Details(long caseId) => _details[caseId];

    public ParticipantDetails? FindParticipant(string productKey) => _byKey.GetValueOrDefault(productKey);

    public ParticipantDetails Participant(long productId) => _byId[productId];

    private NumbersSource? _numbers;

    /// <summary>What <see cref="EventNumbers"/> counts from: one per planning, so that it remembers its planned counts.</summary>
    public NumbersSource ToNumbersSource() => _numbers ??= new(Event.Id, Cases, Contenders, Event.IncludeSameOrganization);

    private sealed record CaseRow
    {
        public long Id { get; init; }
        public long PlanId { get; init; }
        public string Plan { get; init; } = "";
        public string PlanVersion { get; init; } = "";
        public string PlanTitle { get; init; } = "";
        public string Technology { get; init; } = "";
        public string Section { get; init; } = "";
        public string SectionTitle { get; init; } = "";
        public string CaseKey { get; init; } = "";
        public string Title { get; init; } = "";
        public string Priority { get; init; } = "";
        public bool Directional { get; init; }
        public string Requires { get; init; } = "[]";
        public string Initiator { get; init; } = "[]";
        public string Responder { get; init; } = "[]";
        public long Ordinal { get; init; }
    }

    private sealed record ParticipantRow
    {
        public long Id { get; init; }
        public string Key { get; init; } = "";
        public string Name { get; init; } = "";
        public string Version { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Technologies { get; init; } = "[]";
        public string Capabilities { get; init; } = "[]";
        public long OrganizationId { get; init; }
        public string OrganizationKey { get; init; } = "";
        public string OrganizationName { get; init; } = "";
        public string AddedAt { get; init; } = "";
    }

    internal const string SelectEvent = """
        SELECT id, key, name, location, start_date AS StartDate, end_date AS EndDate, status, published,
               include_same_organization AS IncludeSameOrganization, anonymization_secret AS Secret,
               created_at AS CreatedAt, updated_at AS UpdatedAt
        FROM events
        """;

    internal const string SelectPlans = """
        SELECT p.id, p.plan, p.version, p.title, p.technology,
               (SELECT count(*) FROM test_cases c WHERE c.plan_id = p.id) AS Cases
        FROM event_plans ep JOIN test_plans p ON p.id = ep.plan_id
        WHERE ep.event_id = (SELECT id FROM events WHERE key = @key)
        ORDER BY p.plan
        """;

    private const string Sql = $"""
        {SelectEvent} WHERE key = @key;

        {SelectPlans};

        SELECT c.id, c.plan_id AS PlanId, p.plan, p.version AS PlanVersion, p.title AS PlanTitle, p.technology,
               c.section, c.section_title AS SectionTitle, c.case_key AS CaseKey, c.title, c.priority, c.directional,
               c.requires, c.initiator, c.responder, c.ordinal
        FROM event_plans ep
             JOIN test_plans p ON p.id = ep.plan_id
             JOIN test_cases c ON c.plan_id = p.id
        WHERE ep.event_id = (SELECT id FROM events WHERE key = @key)
        ORDER BY p.plan, c.ordinal;

        SELECT pr.id, pr.key, pr.name, pr.version, pr.kind, pr.technologies, pr.capabilities,
               o.id AS OrganizationId, o.key AS OrganizationKey, o.name AS OrganizationName, pa.added_at AS AddedAt
        FROM participants pa
             JOIN products pr ON pr.id = pa.product_id
             JOIN organizations o ON o.id = pr.organization_id
        WHERE pa.event_id = (SELECT id FROM events WHERE key = @key)
        ORDER BY pr.key;
        """;

    /// <summary>The event's planning, or null when there is no event with this key.</summary>
    public static async Task<EventPlanning?> LoadAsync(SqliteConnection connection, string eventKey, SqliteTransaction? transaction = null)
    {
        await using var reader = await connection.QueryMultipleAsync(Sql, new { key = eventKey }, transaction);
        var row = await reader.ReadSingleOrDefaultAsync<EventRow>();
        if (row is null) return null;
        var plans = (await reader.ReadAsync<PinnedPlan>()).AsList();
        var cases = (await reader.ReadAsync<CaseRow>()).Select(ToDetails).ToList();
        var participants = (await reader.ReadAsync<ParticipantRow>()).Select(ToDetails).ToList();
        return new EventPlanning(row, plans, cases, participants);
    }

    private static CaseDetails ToDetails(CaseRow r) => new()
    {
        Case = new PlannedCase
        {
            Id = r.Id, PlanId = r.PlanId, Plan = r.Plan, Section = r.Section, Key = r.CaseKey, Technology = r.Technology,
            Directional = r.Directional, Requires = Vocabulary.FromJson(r.Requires),
            Initiator = Vocabulary.FromJson(r.Initiator), Responder = Vocabulary.FromJson(r.Responder),
        },
        PlanVersion = r.PlanVersion, PlanTitle = r.PlanTitle, SectionTitle = r.SectionTitle, Title = r.Title,
        Priority = r.Priority, Ordinal = r.Ordinal,
    };

    private static ParticipantDetails ToDetails(ParticipantRow r) => new()
    {
        Contender = new Contender
        {
            Id = r.Id, Key = r.Key, OrganizationId = r.OrganizationId,
            Technologies = new HashSet<string>(Vocabulary.FromJson(r.Technologies), StringComparer.OrdinalIgnoreCase),
            Capabilities = new HashSet<string>(Vocabulary.FromJson(r.Capabilities), StringComparer.Ordinal),
        },
        Name = r.Name, Version = r.Version, Kind = r.Kind, OrganizationKey = r.OrganizationKey,
        OrganizationName = r.OrganizationName, AddedAt = r.AddedAt,
    };
}
