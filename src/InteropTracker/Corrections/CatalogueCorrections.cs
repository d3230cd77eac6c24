using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using InteropTracker.Core;
using InteropTracker.Engine;
using InteropTracker.Events;
using InteropTracker.Storage;
using InteropTracker.Vendors;
using System.Data.Common;

namespace InteropTracker.Corrections;

/// <summary>
/// Corrections of the catalogue: an organization's name; a product's name, version, line, kind, technologies and
/// capabilities. Only the fields given change, each checked as at registration. A product's new declarations are
/// planned again in every event it takes part in: results they leave outside the plan are refused (409, listed) unless
/// the caller asks to retire them.
/// </summary>
public static class CatalogueCorrections
{
    public sealed record OrganizationChange
    {
        [StringLength(200)]
        public string? Name { get; init; }

        /// <summary>Fields that are not fields of an organization: refused, so that a misspelt one is not silently ignored.</summary>
        [JsonExtensionData]
        public Dictionary<string, JsonElement>? Unknown { get; init; }
    }

    public sealed record ProductChange
    {
        [StringLength(200)]
        public string? Name { get; init; }

        [StringLength(100)]
        public string? Version { get; init; }

        [StringLength(Vocabulary.MaxKeyLength), RegularExpression(Vocabulary.KeyPattern, ErrorMessage = Vocabulary.KeyMessage)]
        public string? Line { get; init; }

        /// <summary>endpoint, mcu, gateway, sbc, browser, client, server, library or other.</summary>
        public string? Kind { get; init; }

        /// <summary>The whole new list of technologies.</summary>
        public IReadOnlyList<string>? Technologies { get; init; }

        /// <summary>The whole new list of capability tags.</summary>
        public IReadOnlyList<string>? Capabilities { get; init; }

        [JsonExtensionData]
        public Dictionary<string, JsonElement>? Unknown { get; init; }
    }

    /// <summary>A product as corrected, and how many results the correction retired in the events it takes part in.</summary>
    public sealed record ProductCorrected(Product Product, int Retired);

    private const string OrganizationFields = "name";
    private const string ProductFields = "name, version, line, kind, technologies, capabilities";

    public static async Task<Outcome<Organization>> ChangeOrganizationAsync(string key, OrganizationChange body, Caller caller,
        Database database, PlanningCache plannings)
    {
        if (Permissions.Refusal(Permission.ManageCatalogue, caller) is { } refused) return Refusal.Forbidden(refused);
        if (Shape.Unknown(body.Unknown, "an organization", OrganizationFields) is { } unknown) return unknown;
        if (body.Name is null) return Shape.Nothing(OrganizationFields);
        if (string.IsNullOrWhiteSpace(body.Name)) return Refusal.Invalid("name", "An organization's name cannot be empty.");

        await using var connection = await database.OpenAsync();
        await using var transaction = connection.BeginWrite();
        var before = await connection.QuerySingleOrDefaultAsync<OrganizationRow>(
            "SELECT id, name FROM organizations WHERE key = @key", new { key }, transaction);
        if (before is null) return NoOrganization(key);
        var name = body.Name.Trim();
        if (name != before.Name)
        {
            await connection.ExecuteAsync("UPDATE organizations SET name = @name WHERE id = @Id", new { name, before.Id }, transaction);
            var events = (await connection.QueryAsync<EventKey>("""
                SELECT DISTINCT e.id, e.key FROM events e JOIN participants pa ON pa.event_id = e.id
                JOIN products p ON p.id = pa.product_id WHERE p.organization_id = @Id
                """, new { before.Id }, transaction)).AsList();
            await RecordAsync(connection, transaction, caller, "organization.update", key, events, new { name = before.Name }, new { name });
            transaction.Commit();
            foreach (var e in events) plannings.Forget(e.Key);
        }
        else transaction.Commit();
        await using var read = await database.OpenAsync();
        return (await VendorStore.FindOrganizationAsync(read, key, caller))!;
    }

    public static async Task<Outcome<ProductCorrected>> ChangeProductAsync(string key, ProductChange body, bool retire, Caller caller,
        Database database, PlanningCache plannings, IResultEngine engine)
    {
        if (Permissions.Refusal(Permission.ManageCatalogue, caller) is { } refused) return Refusal.Forbidden(refused);
        if (Shape.Unknown(body.Unknown, "a product", ProductFields) is { } unknown) return unknown;
        if (body is { Name: null, Version: null, Line: null, Kind: null, Technologies: null, Capabilities: null })
            return Shape.Nothing(ProductFields);
        var blank = new Dictionary<string, string[]>();
        if (body.Name is { } n && string.IsNullOrWhiteSpace(n)) blank["name"] = ["A product's name cannot be empty."];
        if (body.Version is { } v && string.IsNullOrWhiteSpace(v)) blank["version"] = ["A product's version cannot be empty."];
        if (blank.Count > 0) return Refusal.Invalid(blank, "Some fields are not filled in as they should be.");

        await using var connection = await database.OpenAsync();
        await using var transaction = connection.BeginWrite();
        var before = await connection.QuerySingleOrDefaultAsync<ProductRow>(
            "SELECT id, name, version, line, kind, technologies, capabilities FROM products WHERE key = @key", new { key }, transaction);
        if (before is null) return NoProduct(key);

        var merged = new VendorsApi.NewProduct
        {
            Key = key, Organization = "", Name = body.Name ?? before.Name, Version = body.Version ?? before.Version,
            // An empty line goes back to the default, the key, as at registration.
            Line = body.Line is null ? before.Line : string.IsNullOrWhiteSpace(body.Line) ? key : body.Line, Kind = body.Kind ?? before.Kind,
            Technologies = body.Technologies ?? Vocabulary.FromJson(before.Technologies),
            Capabilities = body.Capabilities ?? Vocabulary.FromJson(before.Capabilities),
        };
        var errors = VendorsApi.CheckShape(merged);
        if (errors.Count > 0) return Refusal.Invalid(errors, "Some fields are not filled in as they should be; nothing was changed.");
        // Tags given now must be tags a loaded plan uses, as at registration; the ones kept are left as they were.
        if (body.Capabilities is { } given &&
            await KnownCapabilities.CheckAsync(connection, given.Select(c => c.Trim()).ToList(), transaction) is { Count: > 0 } unknownTags)
            return Refusal.Unprocessable(unknownTags, "Some capability tags are not used by any loaded test plan; nothing was changed.");

        var after = new ProductRow
        {
            Id = before.Id, Name = merged.Name.Trim(), Version = merged.Version.Trim(), Line = merged.Line!.Trim(), Kind = merged.Kind,
            Technologies = Vocabulary.ToJson(await VendorStore.NormaliseTechnologiesAsync(connection, merged.Technologies, transaction)),
            Capabilities = Vocabulary.ToJson(merged.Capabilities.Select(c => c.Trim()).Distinct(StringComparer.Ordinal).ToList()),
        };
        var (was, now) = Differences(before, after);
        var declarations = !SameSet(before.Technologies, after.Technologies, StringComparer.OrdinalIgnoreCase)
                           || !SameSet(before.Capabilities, after.Capabilities, StringComparer.Ordinal);
        var retired = 0;
        if (was.Count > 0)
        {
            var events = (await connection.QueryAsync<EventKey>(
                "SELECT e.id, e.key FROM events e JOIN participants pa ON pa.event_id = e.id WHERE pa.product_id = @Id ORDER BY e.key",
                new { before.Id }, transaction)).AsList();
            var plannedBefore = new List<EventPlanning>();
            foreach (var e in events)
            {
                var planning = (await EventStore.PlanningAsync(connection, e.Key, transaction))!;
                if (declarations && planning.Event.IsClosed) return Replanning.Closed(e.Key, $"what '{key}' declared there");
                plannedBefore.Add(planning);
            }

            await connection.ExecuteAsync("""
                UPDATE products SET name = @Name, version = @Version, line = @Line, kind = @Kind, technologies = @Technologies,
                                    capabilities = @Capabilities
                WHERE id = @Id
                """, after, transaction);
            if (declarations)
            {
                var sorted = new List<Replanning.Sorted>();
                foreach (var planning in plannedBefore) sorted.Add(await Replanning.SortAsync(connection, transaction, planning));
                if (Replanning.Refusal($"Changing what product '{key}' declares", retire, sorted) is { } outside) return outside;
                foreach (var s in sorted)
                {
                    if (!await Replanning.ApplyAsync(connection, transaction, engine, caller, s, $"the correction of product '{key}'"))
                        return EventChanged(s.Before.Event.Key);
                    retired += s.Results.Outside.Count;
                }
            }
            else
            {
                foreach (var e in events) await EventStore.TouchAsync(connection, transaction, e.Id, caller.TokenId);
            }
            await RecordAsync(connection, transaction, caller, "product.update", key, events, was, now);
            transaction.Commit();
            foreach (var e in events) plannings.Forget(e.Key);
        }
        else transaction.Commit();
        await using var read = await database.OpenAsync();
        return new ProductCorrected((await VendorStore.FindProductAsync(read, key, caller))!, retired);
    }

    /// <summary>The fields that changed, before and after, by their API names.</summary>
    private static (Dictionary<string, object> Before, Dictionary<string, object> After) Differences(ProductRow before, ProductRow after)
    {
        var (was, now) = (new Dictionary<string, object>(), new Dictionary<string, object>());
        void Compare(string field, object a, object b, bool same)
        {
            if (same) return;
            was[field] = a;
            now[field] = b;
        }
        Compare("name", before.Name, after.Name, before.Name == after.Name);
        Compare("version", before.Version, after.Version, before.Version == after.Version);
        Compare("line", before.Line, after.Line, before.Line == after.Line);
        Compare("kind", before.Kind, after.Kind, before.Kind == after.Kind);
        Compare("technologies", Vocabulary.FromJson(before.Technologies), Vocabulary.FromJson(after.Technologies),
            before.Technologies == after.Technologies);
        Compare("capabilities", Vocabulary.FromJson(before.Capabilities), Vocabulary.FromJson(after.Capabilities),
            before.Capabilities == after.Capabilities);
        return (was, now);
    }

    private static bool SameSet(string a, string b, StringComparer comparer) =>
        new HashSet<string>(Vocabulary.FromJson(a), comparer).SetEquals(Vocabulary.FromJson(b));

    /// <summary>One audit record per event the change reaches (so that each event's log shows it), or one when it reaches none.</summary>
    private static async Task RecordAsync(DbConnection connection, DbTransaction transaction, Caller caller, string action,
        string key, IReadOnlyList<EventKey> events, object before, object after)
    {
        if (events.Count == 0) await Audit.RecordAsync(connection, transaction, caller, action, key, null, before, after);
        foreach (var e in events) await Audit.RecordAsync(connection, transaction, caller, action, key, e.Id, before, after);
    }

    private static Refusal NoOrganization(string key) =>
        Refusal.NotFound($"There is no organization with key '{key}'; GET /api/organizations lists them.");

    private static Refusal NoProduct(string key) => Refusal.NotFound($"There is no product with key '{key}'; GET /api/products lists them.");

    internal static Refusal EventChanged(string eventKey) =>
        Refusal.Conflict($"Event {eventKey} changed while the correction was being made; send it again.");

    private sealed record OrganizationRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
    }

    private sealed record ProductRow
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Version { get; init; } = "";
        public string Line { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Technologies { get; init; } = "[]";
        public string Capabilities { get; init; } = "[]";
    }

    internal sealed record EventKey
    {
        public long Id { get; init; }
        public string Key { get; init; } = "";
    }
}

/// <summary>The checks every correction's body shares: no unknown field, and at least one field to change.</summary>
internal static class Shape
{
    public static Refusal? Unknown(Dictionary<string, JsonElement>? unknown, string what, string fields) =>
        unknown is { Count: > 0 }
            ? Refusal.Invalid(unknown.Keys.ToDictionary(k => k, k => new[] { $"'{k}' is not a field of {what}; the fields are {fields}." }),
                $"Unknown {(unknown.Count == 1 ? "field" : "fields")} {string.Join(", ", unknown.Keys.Select(k => $"'{k}'"))}; nothing was changed.")
            : null;

    public static Refusal Nothing(string fields) =>
        Refusal.Invalid("", $"Nothing to change: give at least one of {fields}; fields not given stay as they are.");
}
