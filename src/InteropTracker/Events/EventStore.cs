using System.Text.Json.Serialization;
using Dapper;
using InteropTracker.Core;
using InteropTracker.Storage;
using System.Data.Common;

namespace InteropTracker.Events;

/// <summary>An event as the API shows it: everything but the anonymization secret.</summary>
public sealed record EventInfo
{
    [JsonIgnore] public long Id { get; init; }
    public string Key { get; init; } = "";
    public string Name { get; init; } = "";
    public string Location { get; init; } = "";
    public string StartDate { get; init; } = "";
    public string EndDate { get; init; } = "";
    public string Status { get; init; } = "";
    public bool Published { get; init; }
    public bool IncludeSameOrganization { get; init; }
    /// <summary>An http(s) URL with {issue} where a result's issue reference goes: the references link there.</summary>
    public string? IssueUrlTemplate { get; init; }
    public IReadOnlyList<PinnedPlan> Plans { get; init; } = [];
    public long Participants { get; init; }

    /// <summary>Until when (ISO-8601 UTC) vendors review their results in the closed event before it may be published.</summary>
    public string? ReviewUntil { get; init; }

    /// <summary>The snapshot whose reports a publication serves.</summary>
    public long? PublishedSnapshot { get; init; }
    public string CreatedAt { get; init; } = "";
    public string UpdatedAt { get; init; } = "";
}

/// <summary>A participant as the API shows it.</summary>
public sealed record ParticipantInfo
{
    public string Product { get; init; } = "";
    public string Name { get; init; } = "";
    public string Version { get; init; } = "";
    public string Kind { get; init; } = "";
    public string Organization { get; init; } = "";
    public string OrganizationName { get; init; } = "";
    public IReadOnlyList<string> Technologies { get; init; } = [];
    public IReadOnlyList<string> Capabilities { get; init; } = [];
    public string AddedAt { get; init; } = "";

    public static ParticipantInfo From(Participant p) => new()
    {
        Product = p.Key, Name = p.Name, Version = p.Version, Kind = p.Kind, Organization = p.OrganizationKey,
        OrganizationName = p.OrganizationName, Technologies = p.Technologies.Order(StringComparer.OrdinalIgnoreCase).ToList(),
        Capabilities = p.Capabilities.Order(StringComparer.Ordinal).ToList(), AddedAt = p.AddedAt,
    };
}

/// <summary>Events, their pinned plans and participants in the database, and who may see them.</summary>
public static class EventStore
{
    /// <summary>True when one of the organization's products takes part in the event (or there is no limit).</summary>
    private const string Visible = """
        (@organization IS NULL OR EXISTS (
            SELECT 1 FROM participants pa JOIN products pr ON pr.id = pa.product_id
            WHERE pa.event_id = e.id AND pr.organization_id = @organization))
        """;

    public static async Task<long> InsertAsync(DbConnection connection, DbTransaction transaction, string key, string name,
        string location, string startDate, string endDate, bool includeSameOrganization, IEnumerable<long> planIds, long createdBy,
        string? issueUrlTemplate = null, string? reviewUntil = null)
    {
        const string insertEvent = """
            INSERT INTO events (key, name, location, start_date, end_date, include_same_organization, status, published,
                                anonymization_secret, created_at, created_by, updated_at, updated_by, issue_url_template, review_until)
            VALUES (@key, @name, @location, @startDate, @endDate, @includeSameOrganization, 'draft', 0,
                    @secret, @at, @createdBy, @at, @createdBy, @issueUrlTemplate, @reviewUntil)
            RETURNING id
            """;
        var at = Clock.Now();
        var id = await connection.ExecuteScalarAsync<long>(insertEvent, new
        {
            key, name, location, startDate, endDate, includeSameOrganization = includeSameOrganization ? 1 : 0,
            secret = Anonymizer.NewSecret(), at, createdBy, issueUrlTemplate, reviewUntil,
        }, transaction);
        await connection.ExecuteAsync("INSERT INTO event_plans (event_id, plan_id) VALUES (@id, @planId)",
            planIds.Select(planId => new { id, planId }), transaction);
        return id;
    }

    /// <summary>A plan version's id; with no version, the version loaded last.</summary>
    public static Task<PinnedPlan?> FindPlanAsync(DbConnection connection, string plan, string? version,
        DbTransaction? transaction = null)
    {
        const string sql = """
            SELECT id, plan, version, title, technology, (SELECT count(*) FROM test_cases c WHERE c.plan_id = p.id) AS Cases
            FROM test_plans p
            WHERE plan = @plan AND (@version IS NULL OR version = @version)
            ORDER BY id DESC
            LIMIT 1
            """;
        return connection.QuerySingleOrDefaultAsync<PinnedPlan>(sql, new { plan, version }, transaction);
    }

    public static async Task<EventInfo?> InfoAsync(DbConnection connection, string key, Caller caller,
        DbTransaction? transaction = null)
    {
        var events = await ListAsync(connection, caller, key, transaction);
        return events.SingleOrDefault();
    }

    /// <summary>The events the caller may see, newest start date first; with a key, only that one.</summary>
    public static async Task<IReadOnlyList<EventInfo>> ListAsync(DbConnection connection, Caller caller, string? key = null,
        DbTransaction? transaction = null)
    {
        const string sql = $"""
            SELECT e.id, e.key, e.name, e.location, e.start_date AS StartDate, e.end_date AS EndDate, e.status, e.published,
                   e.include_same_organization AS IncludeSameOrganization, e.issue_url_template AS IssueUrlTemplate,
                   (SELECT count(*) FROM participants pa WHERE pa.event_id = e.id) AS Participants,
                   e.review_until AS ReviewUntil, e.published_snapshot AS PublishedSnapshot,
                   e.created_at AS CreatedAt, e.updated_at AS UpdatedAt
            FROM events e
            WHERE (@key IS NULL OR e.key = @key) AND {Visible}
            ORDER BY e.start_date DESC, e.key;

            SELECT ep.event_id AS EventId, p.id, p.plan, p.version, p.title, p.technology,
                   (SELECT count(*) FROM test_cases c WHERE c.plan_id = p.id) AS Cases
            FROM event_plans ep JOIN test_plans p ON p.id = ep.plan_id JOIN events e ON e.id = ep.event_id
            WHERE (@key IS NULL OR e.key = @key) AND {Visible}
            ORDER BY p.plan;
            """;
        await using var reader = await connection.QueryMultipleAsync(sql, new { key, organization = caller.LimitedTo }, transaction);
        var events = (await reader.ReadAsync<EventInfo>()).AsList();
        var plans = (await reader.ReadAsync<PinnedPlan>()).ToLookup(p => p.EventId);
        return events.Select(e => e with { Plans = plans[e.Id].ToList() }).ToList();
    }

    /// <summary>Registers the products not yet registered; returns the keys it added.</summary>
    public static async Task<IReadOnlyList<string>> AddParticipantsAsync(DbConnection connection, DbTransaction transaction,
        long eventId, IReadOnlyList<(long Id, string Key)> products, long addedBy)
    {
        const string sql = """
            INSERT INTO participants (event_id, product_id, added_at, added_by) VALUES (@eventId, @productId, @at, @addedBy)
            ON CONFLICT (event_id, product_id) DO NOTHING
            """;
        var at = Clock.Now();
        var added = new List<string>();
        foreach (var product in products)
            if (await connection.ExecuteAsync(sql, new { eventId, productId = product.Id, at, addedBy }, transaction) == 1)
                added.Add(product.Key);
        if (added.Count > 0) await TouchAsync(connection, transaction, eventId, addedBy);
        return added;
    }

    public static async Task SetStatusAsync(DbConnection connection, DbTransaction transaction, long eventId, string status,
        bool published, long? publishedSnapshot, string? reviewUntil, long updatedBy)
    {
        await connection.ExecuteAsync(
            """
            UPDATE events SET status = @status, published = @published, published_snapshot = @publishedSnapshot,
                              review_until = @reviewUntil
            WHERE id = @eventId
            """,
            new { eventId, status, published = published ? 1 : 0, publishedSnapshot, reviewUntil }, transaction);
        await TouchAsync(connection, transaction, eventId, updatedBy);
    }

    /// <summary>Moves the event's stamp: its planning is to be read again, and a write checked against the old one checked again.</summary>
    public static Task TouchAsync(DbConnection connection, DbTransaction transaction, long eventId, long by) =>
        connection.ExecuteAsync("UPDATE events SET updated_at = @at, updated_by = @by WHERE id = @eventId",
            new { eventId, at = Clock.Now(), by }, transaction);

    private sealed record ProductKeyRow
    {
        public long Id { get; init; }
        public string Key { get; init; } = "";
    }

    /// <summary>Product ids by key, for the keys that exist.</summary>
    public static async Task<IReadOnlyDictionary<string, long>> FindProductIdsAsync(DbConnection connection,
        IEnumerable<string> keys, DbTransaction? transaction = null)
    {
        var rows = await connection.QueryAsync<ProductKeyRow>($"SELECT id, key FROM products WHERE {Sql.In(connection, "key", "@keys")}",
            new { keys = keys.OfType<string>().Distinct().ToList() }, transaction);
        return rows.ToDictionary(r => r.Key, r => r.Id, StringComparer.Ordinal);
    }

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
        public string? PlanAttributes { get; init; }
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
               include_same_organization AS IncludeSameOrganization, issue_url_template AS IssueUrlTemplate,
               anonymization_secret AS Secret,
               created_at AS CreatedAt, updated_at AS UpdatedAt, review_until AS ReviewUntil,
               published_snapshot AS PublishedSnapshot
        FROM events
        """;

    internal const string SelectPlans = """
        SELECT p.id, p.plan, p.version, p.title, p.technology,
               (SELECT count(*) FROM test_cases c WHERE c.plan_id = p.id) AS Cases
        FROM event_plans ep JOIN test_plans p ON p.id = ep.plan_id
        WHERE ep.event_id = (SELECT id FROM events WHERE key = @key)
        ORDER BY p.plan
        """;

    private const string PlanningSql = $"""
        {SelectEvent} WHERE key = @key;

        {SelectPlans};

        SELECT c.id, c.plan_id AS PlanId, p.plan, p.version AS PlanVersion, p.title AS PlanTitle, p.technology,
               c.section, c.section_title AS SectionTitle, c.case_key AS CaseKey, c.title, c.priority, c.directional,
               c.requires, c.initiator, c.responder, c.ordinal, p.attributes AS PlanAttributes
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

    /// <summary>The event's planning, read in one round trip; null when there is no event with this key.</summary>
    public static async Task<EventPlanning?> PlanningAsync(DbConnection connection, string eventKey, DbTransaction? transaction = null)
    {
        await using var reader = await connection.QueryMultipleAsync(PlanningSql, new { key = eventKey }, transaction);
        var row = await reader.ReadSingleOrDefaultAsync<EventRow>();
        if (row is null) return null;
        var plans = (await reader.ReadAsync<PinnedPlan>()).AsList();
        // Each plan's declaration is read once and shared by its cases.
        var declared = new Dictionary<long, IReadOnlyDictionary<string, IReadOnlyList<string>>>();
        var cases = (await reader.ReadAsync<CaseRow>()).Select(r => ToPlanning(r,
            declared.TryGetValue(r.PlanId, out var known) ? known : declared[r.PlanId] = ResultAttributes.DeclaredFromJson(r.PlanAttributes))).ToList();
        var participants = (await reader.ReadAsync<ParticipantRow>()).Select(ToPlanning).ToList();
        return new EventPlanning(row, plans, cases, participants);
    }

    private static CaseDetails ToPlanning(CaseRow r, IReadOnlyDictionary<string, IReadOnlyList<string>> attributes) => new()
    {
        Case = new PlannedCase
        {
            Id = r.Id, PlanId = r.PlanId, Plan = r.Plan, Section = r.Section, Key = r.CaseKey, Technology = r.Technology,
            Directional = r.Directional, Requires = Vocabulary.FromJson(r.Requires),
            Initiator = Vocabulary.FromJson(r.Initiator), Responder = Vocabulary.FromJson(r.Responder),
            Attributes = attributes,
        },
        PlanVersion = r.PlanVersion, PlanTitle = r.PlanTitle, SectionTitle = r.SectionTitle, Title = r.Title,
        Priority = r.Priority, Ordinal = r.Ordinal,
    };

    private static Participant ToPlanning(ParticipantRow r) => new()
    {
        Id = r.Id, Key = r.Key, OrganizationId = r.OrganizationId,
        Technologies = new HashSet<string>(Vocabulary.FromJson(r.Technologies), StringComparer.OrdinalIgnoreCase),
        Capabilities = new HashSet<string>(Vocabulary.FromJson(r.Capabilities), StringComparer.Ordinal),
        Name = r.Name, Version = r.Version, Kind = r.Kind, OrganizationKey = r.OrganizationKey,
        OrganizationName = r.OrganizationName, AddedAt = r.AddedAt,
    };
}
