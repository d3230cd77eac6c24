using Dapper;
using InteropTracker.Core;
using InteropTracker.Events;
using InteropTracker.Storage;
using InteropTracker.TestPlans;
using InteropTracker.Vendors;
using System.Data.Common;

namespace InteropTracker.Registrations;

/// <summary>
/// Bulk registration (DESIGN.md, "Corrections and the event's life"): a table of products, one a row, that creates or
/// updates their organizations and the products and registers them in the events named. Every row is checked against
/// the same rules as the single routes (key syntax, kinds, technology words, capability tags the loaded plans use,
/// events a chair may still register in) and every error is located at its row and column; then all rows are written
/// in one transaction, or none.
/// </summary>
public static partial class RegistrationImport
{
    public const int MaxRows = 2_000;
    private const int MaxColumns = 16;

    /// <summary>The columns, in the template's order; the last two may be left out.</summary>
    public static readonly IReadOnlyList<string> Columns =
        ["organization", "organization_name", "product", "product_name", "version", "kind", "technologies", "capabilities", "event", "line"];

    private static readonly string[] RequiredColumns =
        ["organization", "organization_name", "product", "product_name", "version", "kind", "technologies", "capabilities"];

    /// <summary>One cell, trimmed when read through <see cref="Clean"/>, and where it is.</summary>
    private sealed record Cell(string Place, string Text)
    {
        public string Clean => Text.Trim();
    }

    private sealed record Table(string HeaderPlace, IReadOnlyList<Cell> Header, IReadOnlyList<IReadOnlyList<Cell>> Rows);

    /// <summary>What an import did, counted.</summary>
    public sealed record Imported
    {
        public int Rows { get; init; }
        public int OrganizationsCreated { get; init; }
        public int OrganizationsUpdated { get; init; }
        public int ProductsCreated { get; init; }
        public int ProductsUpdated { get; init; }
        /// <summary>Products newly registered as participants (one per product and event; those already registered are not counted).</summary>
        public int Registered { get; init; }
    }

    /// <summary>A product as a row gives it, checked.</summary>
    private sealed record ProductRow
    {
        public required Cell Where { get; init; }
        public required string Organization { get; init; }
        public required string Key { get; init; }
        public required string Name { get; init; }
        public required string Version { get; init; }
        public required string Kind { get; init; }
        public required string? Line { get; init; }
        public required IReadOnlyList<string> Technologies { get; init; }
        public required IReadOnlyList<string> Capabilities { get; init; }
    }

    private sealed record ExistingProduct
    {
        public long Id { get; init; }
        public string Key { get; init; } = "";
        public string Organization { get; init; } = "";
        public string Name { get; init; } = "";
        public string Version { get; init; } = "";
        public string Line { get; init; } = "";
        public string Kind { get; init; } = "";
        public string Technologies { get; init; } = "[]";
        public string Capabilities { get; init; } = "[]";
        public long Results { get; init; }
    }

    private sealed record ExistingOrganization
    {
        public long Id { get; init; }
        public string Key { get; init; } = "";
        public string Name { get; init; } = "";
    }

    /// <summary>Reads, checks and writes a registration file; null when <paramref name="errors"/> says why nothing was written.</summary>
    public static async Task<Imported?> ImportAsync(FileUpload<RegistrationFormat> upload, Caller caller, Database database,
        PlanningCache plannings, ImportErrors errors, CancellationToken ct)
    {
        var table = upload.Format == RegistrationFormat.Csv ? ReadCsv(upload.Content, errors) : ReadWorkbook(upload.Content, errors);
        if (table is null || errors.Any) return null;
        var columns = ReadHeader(table, errors);
        if (columns is null) return null;
        var rows = table.Rows.Where(r => r.Any(c => c.Clean.Length > 0)).ToList();
        if (rows.Count == 0)
        {
            errors.Add(table.HeaderPlace, "The file has a header and no product: add one row a product under it.");
            return null;
        }

        await using var connection = await database.OpenAsync(ct);
        await using var transaction = connection.BeginWrite();
        var plan = await CheckAsync(connection, transaction, rows, columns, caller, plannings, errors);
        if (plan is null) return null;
        var imported = await WriteAsync(connection, transaction, plan, caller);
        transaction.Commit();
        return imported with { Rows = rows.Count };
    }

    /// <summary>Each known column's index; unknown, doubled or missing columns are errors at the header.</summary>
    private static Dictionary<string, int>? ReadHeader(Table table, ImportErrors errors)
    {
        var columns = new Dictionary<string, int>(StringComparer.Ordinal);
        var unnamed = new List<int>();
        foreach (var (cell, index) in table.Header.Select((c, i) => (c, i)))
        {
            var name = cell.Clean.ToLowerInvariant();
            if (name.Length == 0) unnamed.Add(index);
            else if (!Columns.Contains(name))
                errors.Add(cell.Place, $"'{cell.Clean}' is not a column of a registration file; use {string.Join(", ", Columns)}.");
            else if (!columns.TryAdd(name, index))
                errors.Add(cell.Place, $"The column '{name}' appears twice.");
        }
        foreach (var missing in RequiredColumns.Where(c => !columns.ContainsKey(c)))
            errors.Add(table.HeaderPlace, $"The header has no column '{missing}'; a registration file has the columns {string.Join(", ", RequiredColumns)}, and may add event and line.");
        foreach (var cell in table.Rows.SelectMany(row => unnamed.Select(i => row[i])).Where(c => c.Clean.Length > 0))
            errors.Add(cell.Place, "This value is in a column with no header; name the column or clear the value.");
        return errors.Any ? null : columns;
    }

    /// <summary>What the rows will write, once every row is known good.</summary>
    private sealed record Plan(
        IReadOnlyDictionary<string, (string Name, Cell Where)> Organizations,
        IReadOnlyDictionary<string, ExistingOrganization> ExistingOrganizations,
        IReadOnlyList<ProductRow> Products,
        IReadOnlyDictionary<string, ExistingProduct> ExistingProducts,
        IReadOnlyList<(string Event, long EventId, string Product)> Registrations);

    private static async Task<Plan?> CheckAsync(DbConnection connection, DbTransaction transaction,
        IReadOnlyList<IReadOnlyList<Cell>> rows, Dictionary<string, int> columns, Caller caller, PlanningCache plannings,
        ImportErrors errors)
    {
        Cell At(IReadOnlyList<Cell> row, string column) =>
            columns.TryGetValue(column, out var i) ? row[i] : new Cell(row[0].Place, "");

        var organizationKeys = rows.Select(r => At(r, "organization").Clean).Where(k => k.Length > 0).Distinct().ToList();
        var productKeys = rows.Select(r => At(r, "product").Clean).Where(k => k.Length > 0).Distinct().ToList();
        var existingOrganizations = (await connection.QueryAsync<ExistingOrganization>(
                $"SELECT id, key, name FROM organizations WHERE {Sql.In(connection, "key", "@organizationKeys")}", new { organizationKeys }, transaction))
            .ToDictionary(o => o.Key, StringComparer.Ordinal);
        var productsSql = $"""
            SELECT p.id, p.key, o.key AS Organization, p.name, p.version, p.line, p.kind, p.technologies, p.capabilities,
                   (SELECT count(*) FROM results r WHERE r.initiator_id = p.id OR r.responder_id = p.id) AS Results
            FROM products p JOIN organizations o ON o.id = p.organization_id
            WHERE {Sql.In(connection, "p.key", "@productKeys")}
            """;
        var existingProducts = (await connection.QueryAsync<ExistingProduct>(productsSql, new { productKeys }, transaction))
            .ToDictionary(p => p.Key, StringComparer.Ordinal);
        var knownTags = (await VendorStore.KnownTagsAsync(connection, transaction)).ToHashSet(StringComparer.Ordinal);
        var events = new Dictionary<string, Outcome<EventPlanning>>(StringComparer.Ordinal);

        var organizations = new Dictionary<string, (string Name, Cell Where)>(StringComparer.Ordinal);
        var products = new Dictionary<string, ProductRow>(StringComparer.Ordinal);
        var registrations = new List<(string Event, long EventId, string Product)>();
        foreach (var row in rows)
        {
            var organization = At(row, "organization");
            var organizationName = At(row, "organization_name");
            var productKey = At(row, "product");
            var key = CheckKey(organization, "organization", errors);
            CheckKey(productKey, "product", errors);
            Required(At(row, "product_name"), "the product's name", 200, errors);
            Required(At(row, "version"), "the product's version", 100, errors);
            if (organizationName.Clean.Length > 200) errors.Add(organizationName.Place, "An organization's name has at most 200 characters.");

            if (key is not null)
            {
                if (organizations.TryGetValue(key, out var seen))
                {
                    if (organizationName.Clean.Length > 0 && organizationName.Clean != seen.Name)
                        errors.Add(organizationName.Place, seen.Name.Length == 0
                            ? $"Organization '{key}' is named here but not at {seen.Where.Place}; name it the same on every row, or only on one."
                            : $"Organization '{key}' is named '{seen.Name}' at {seen.Where.Place}; give it one name.");
                    if (seen.Name.Length == 0 && organizationName.Clean.Length > 0) organizations[key] = (organizationName.Clean, organizationName);
                }
                else
                {
                    organizations[key] = (organizationName.Clean, organizationName);
                }
            }

            var kind = At(row, "kind");
            if (!VendorStore.Kinds.Contains(kind.Clean))
                errors.Add(kind.Place, kind.Clean.Length == 0
                    ? $"Give the product's kind: one of {string.Join(", ", VendorStore.Kinds)}."
                    : $"'{kind.Clean}' is not a product kind; use one of {string.Join(", ", VendorStore.Kinds)}.");

            var technologiesCell = At(row, "technologies");
            var technologies = Split(technologiesCell.Text, ';', ',', '\n', '\r');
            foreach (var technology in technologies.Where(t => t.Length > 40 || !Vocabulary.Technology().IsMatch(t)))
                errors.Add(technologiesCell.Place, $"'{technology}' is not a technology word; use letters and digits such as SIP, WebRTC, H.323, separated by ';'.");

            var capabilitiesCell = At(row, "capabilities");
            var capabilities = Split(capabilitiesCell.Text, ';', ',', ' ', '\t', '\n', '\r');
            var wellFormed = new List<string>();
            foreach (var tag in capabilities)
                if (tag.Length > Vocabulary.MaxTagLength || !Vocabulary.Tag().IsMatch(tag))
                    errors.Add(capabilitiesCell.Place, $"'{tag}' is not a capability tag; tags are lowercase words joined by '.' or '-', such as h264 or rtcp-fb.pli.");
                else wellFormed.Add(tag);
            foreach (var tag in wellFormed.Where(t => !knownTags.Contains(t)))
                errors.Add(capabilitiesCell.Place, CapabilityTags.Unknown(tag, knownTags));

            var lineCell = At(row, "line");
            if (lineCell.Clean.Length > 0) CheckKey(lineCell, "line", errors);

            var product = new ProductRow
            {
                Where = productKey, Organization = organization.Clean, Key = productKey.Clean, Name = At(row, "product_name").Clean,
                Version = At(row, "version").Clean, Kind = kind.Clean, Line = lineCell.Clean.Length > 0 ? lineCell.Clean : null,
                Technologies = technologies, Capabilities = capabilities.Distinct(StringComparer.Ordinal).ToList(),
            };
            if (product.Key.Length > 0)
            {
                if (products.TryGetValue(product.Key, out var first))
                {
                    if (!Same(first, product))
                        errors.Add(productKey.Place, $"Product '{product.Key}' is also at {first.Where.Place} with other values; a product takes one row, or the same values on each row that registers it in another event.");
                }
                else
                {
                    products[product.Key] = product;
                    CheckUpdate(product, existingProducts.GetValueOrDefault(product.Key), errors);
                }
            }

            var eventCell = At(row, "event");
            if (eventCell.Clean.Length > 0 && product.Key.Length > 0)
            {
                if (!events.TryGetValue(eventCell.Clean, out var gate))
                    events[eventCell.Clean] = gate = await EventGate.OpenAsync(connection, plannings, eventCell.Clean, caller, EventNeed.Chair, transaction);
                if (gate.Refusal is { } refusal)
                    errors.Add(eventCell.Place, refusal.Kind == RefusalKind.NotFound
                        ? $"There is no event '{eventCell.Clean}'; set it up first (POST /api/events), or leave the cell empty."
                        : refusal.Detail);
                else if (gate.Value!.Event.IsClosed)
                    errors.Add(eventCell.Place, $"Event {eventCell.Clean} is closed: it takes no more participants.");
                else if (!registrations.Contains((eventCell.Clean, gate.Value.Event.Id, product.Key)))
                    registrations.Add((eventCell.Clean, gate.Value.Event.Id, product.Key));
            }
        }

        foreach (var (key, (name, where)) in organizations)
        {
            if (existingOrganizations.ContainsKey(key) || name.Length > 0) continue;
            errors.Add(where.Place, $"Organization '{key}' is new: give its name in organization_name (on one of its rows at least).");
        }
        foreach (var product in products.Values)
            if (existingProducts.TryGetValue(product.Key, out var existing) && existing.Organization != product.Organization
                && product.Organization.Length > 0)
                errors.Add(product.Where.Place, $"Product '{product.Key}' belongs to organization '{existing.Organization}', not '{product.Organization}'; a file cannot move a product to another organization.");
        if (errors.Any) return null;
        return new Plan(organizations, existingOrganizations, products.Values.ToList(), existingProducts, registrations);
    }

    /// <summary>
    /// An existing product whose technologies or capabilities would change: refused once it has results, since that
    /// can leave logged results outside the plan (a correction of a product says which, and may retire them).
    /// </summary>
    private static void CheckUpdate(ProductRow product, ExistingProduct? existing, ImportErrors errors)
    {
        if (existing is null || existing.Results == 0) return;
        var sameTechnologies = Vocabulary.FromJson(existing.Technologies).ToHashSet(StringComparer.OrdinalIgnoreCase)
            .SetEquals(product.Technologies);
        var sameCapabilities = Vocabulary.FromJson(existing.Capabilities).ToHashSet(StringComparer.Ordinal).SetEquals(product.Capabilities);
        if (sameTechnologies && sameCapabilities) return;
        errors.Add(product.Where.Place, $"Product '{product.Key}' has {existing.Results} logged results: its technologies and capabilities " +
            $"are not changed by a file. Change them with PATCH /api/products/{product.Key}, which lists the results the change would leave outside the plan.");
    }

    private static bool Same(ProductRow a, ProductRow b) =>
        a.Organization == b.Organization && a.Name == b.Name && a.Version == b.Version && a.Kind == b.Kind && a.Line == b.Line
        && a.Technologies.SequenceEqual(b.Technologies, StringComparer.OrdinalIgnoreCase) && a.Capabilities.Order().SequenceEqual(b.Capabilities.Order());

    private static string? CheckKey(Cell cell, string what, ImportErrors errors)
    {
        if (cell.Clean.Length == 0)
        {
            errors.Add(cell.Place, $"Give the {what}'s key.");
            return null;
        }
        if (cell.Clean.Length > Vocabulary.MaxKeyLength || !Vocabulary.Key().IsMatch(cell.Clean))
        {
            var proposed = Vocabulary.Slug(cell.Clean);
            errors.Add(cell.Place, $"'{cell.Clean}' is not a key. {Vocabulary.KeyMessage}{(proposed.Length > 0 ? $" Perhaps '{proposed}'." : "")}");
            return null;
        }
        return cell.Clean;
    }

    private static void Required(Cell cell, string what, int maxLength, ImportErrors errors)
    {
        if (cell.Clean.Length == 0) errors.Add(cell.Place, $"Give {what}.");
        else if (cell.Clean.Length > maxLength) errors.Add(cell.Place, $"{char.ToUpperInvariant(what[0])}{what[1..]} has at most {maxLength} characters.");
    }

    private static List<string> Split(string text, params char[] separators) =>
        text.Split(separators, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static async Task<Imported> WriteAsync(DbConnection connection, DbTransaction transaction, Plan plan, Caller caller)
    {
        int organizationsCreated = 0, organizationsUpdated = 0, productsCreated = 0, productsUpdated = 0, registered = 0;
        var organizationIds = plan.ExistingOrganizations.ToDictionary(o => o.Key, o => o.Value.Id, StringComparer.Ordinal);
        foreach (var (key, (name, _)) in plan.Organizations)
        {
            if (!plan.ExistingOrganizations.TryGetValue(key, out var existing))
            {
                await VendorStore.InsertOrganizationAsync(connection, transaction, key, name, caller.TokenId);
                organizationIds[key] = (await VendorStore.FindOrganizationIdAsync(connection, key, transaction))!.Value;
                await Audit.RecordAsync(connection, transaction, caller, "organization.create", $"{key} (registration import)");
                organizationsCreated++;
            }
            else if (name.Length > 0 && name != existing.Name)
            {
                await connection.ExecuteAsync("UPDATE organizations SET name = @name WHERE id = @id", new { name, id = existing.Id }, transaction);
                await Audit.RecordAsync(connection, transaction, caller, "organization.update",
                    $"{key} (registration import): name '{existing.Name}' → '{name}'");
                organizationsUpdated++;
            }
        }

        var changedProducts = new List<long>();
        var productIds = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var product in plan.Products)
        {
            var technologies = await VendorStore.NormaliseTechnologiesAsync(connection, product.Technologies, transaction);
            if (!plan.ExistingProducts.TryGetValue(product.Key, out var existing))
            {
                await VendorStore.InsertProductAsync(connection, transaction, organizationIds[product.Organization], product.Key, product.Name,
                    product.Version, product.Line ?? product.Key, product.Kind, technologies, product.Capabilities, caller.TokenId);
                await Audit.RecordAsync(connection, transaction, caller, "product.create", $"{product.Key} (registration import)");
                productIds[product.Key] = (await EventStore.FindProductIdsAsync(connection, [product.Key], transaction))[product.Key];
                productsCreated++;
                continue;
            }
            productIds[product.Key] = existing.Id;
            var line = product.Line ?? existing.Line;
            var changes = new List<string>();
            if (product.Name != existing.Name) changes.Add($"name '{existing.Name}' → '{product.Name}'");
            if (product.Version != existing.Version) changes.Add($"version '{existing.Version}' → '{product.Version}'");
            if (product.Kind != existing.Kind) changes.Add($"kind {existing.Kind} → {product.Kind}");
            if (line != existing.Line) changes.Add($"line {existing.Line} → {line}");
            if (Vocabulary.ToJson(technologies) != existing.Technologies)
                changes.Add($"technologies {string.Join(", ", Vocabulary.FromJson(existing.Technologies))} → {string.Join(", ", technologies)}");
            if (Vocabulary.ToJson(product.Capabilities) != existing.Capabilities)
                changes.Add($"capabilities {string.Join(" ", Vocabulary.FromJson(existing.Capabilities))} → {string.Join(" ", product.Capabilities)}");
            if (changes.Count == 0) continue;
            const string update = """
                UPDATE products SET name = @Name, version = @Version, kind = @Kind, line = @line,
                                    technologies = @technologies, capabilities = @capabilities
                WHERE id = @id
                """;
            await connection.ExecuteAsync(update, new
            {
                product.Name, product.Version, product.Kind, line, id = existing.Id,
                technologies = Vocabulary.ToJson(technologies), capabilities = Vocabulary.ToJson(product.Capabilities),
            }, transaction);
            await Audit.RecordAsync(connection, transaction, caller, "product.update",
                $"{product.Key} (registration import): {string.Join("; ", changes)}");
            changedProducts.Add(existing.Id);
            productsUpdated++;
        }

        foreach (var byEvent in plan.Registrations.GroupBy(r => (r.Event, r.EventId)))
        {
            var added = await EventStore.AddParticipantsAsync(connection, transaction, byEvent.Key.EventId,
                byEvent.Select(r => (productIds[r.Product], r.Product)).ToList(), caller.TokenId);
            if (added.Count > 0)
                await Audit.RecordAsync(connection, transaction, caller, "event.participants", $"{byEvent.Key.Event}: {string.Join(", ", added)} (registration import)");
            registered += added.Count;
        }

        // A participant's planning stands on what its product declares: the events it is in load their planning again.
        if (changedProducts.Count > 0)
            await connection.ExecuteAsync(
                $"UPDATE events SET updated_at = @at, updated_by = @by WHERE id IN (SELECT event_id FROM participants WHERE {Sql.In(connection, "product_id", "@changedProducts")})",
                new { at = Clock.Now(), by = caller.TokenId, changedProducts }, transaction);

        return new Imported
        {
            OrganizationsCreated = organizationsCreated, OrganizationsUpdated = organizationsUpdated,
            ProductsCreated = productsCreated, ProductsUpdated = productsUpdated, Registered = registered,
        };
    }
}
