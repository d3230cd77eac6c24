using System.ComponentModel.DataAnnotations;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace InteropTracker.Vendors;

/// <summary>The /api/organizations and /api/products routes: chairs register vendors and their products; everyone signed in reads them.</summary>
public static class VendorsApi
{
    public sealed record NewOrganization
    {
        [Required, StringLength(Vocabulary.MaxKeyLength), RegularExpression(Vocabulary.KeyPattern, ErrorMessage = Vocabulary.KeyMessage)]
        public string Key { get; init; } = "";

        [Required, StringLength(200)]
        public string Name { get; init; } = "";
    }

    public sealed record NewProduct
    {
        [Required, StringLength(Vocabulary.MaxKeyLength), RegularExpression(Vocabulary.KeyPattern, ErrorMessage = Vocabulary.KeyMessage)]
        public string Key { get; init; } = "";

        /// <summary>The key of the organization that makes the product.</summary>
        [Required]
        public string Organization { get; init; } = "";

        [Required, StringLength(200)]
        public string Name { get; init; } = "";

        [Required, StringLength(100)]
        public string Version { get; init; } = "";

        /// <summary>
        /// The product line: the same across the product's versions and events, so that history can compare them.
        /// The key when not given.
        /// </summary>
        [StringLength(Vocabulary.MaxKeyLength), RegularExpression(Vocabulary.KeyPattern, ErrorMessage = Vocabulary.KeyMessage)]
        public string? Line { get; init; }

        /// <summary>endpoint, mcu, gateway, sbc, browser, client, server, library or other.</summary>
        [Required]
        public string Kind { get; init; } = "";

        /// <summary>Technology words such as SIP, WebRTC, H.323; compared case-insensitively with the plans'.</summary>
        public IReadOnlyList<string> Technologies { get; init => field = value ?? []; } = [];

        /// <summary>Capability tags such as h264, bfcp, srtp: the vocabulary of testcases/README.md.</summary>
        public IReadOnlyList<string> Capabilities { get; init => field = value ?? []; } = [];
    }

    public static IEndpointRouteBuilder MapVendors(this IEndpointRouteBuilder app)
    {
        var organizations = app.MapGroup("/api/organizations").WithTags("Vendors").Performs(Permission.ReadCatalogue);
        organizations.MapGet("/", ListOrganizations).WithName("ListOrganizations").WithSummary("Every organization (vendor) the caller may read: an engineer its own and those of its events' participants.");
        organizations.MapGet("/{key}", GetOrganization).WithName("GetOrganization").WithSummary("One organization by key.");

        var registerOrganizations = app.MapGroup("/api/organizations").WithTags("Vendors").Performs(Permission.ManageCatalogue);
        registerOrganizations.MapPost("/", CreateOrganization).WithName("CreateOrganization")
            .WithSummary("Register an organization (vendor); its key is a slug. A key already taken answers 409.");

        var products = app.MapGroup("/api/products").WithTags("Vendors").Performs(Permission.ReadCatalogue);
        products.MapGet("/", ListProducts).WithName("ListProducts")
            .WithSummary("Every product the caller may read (an engineer: its own and its events' participants), or one organization's with ?organization=key.");
        products.MapGet("/{key}", GetProduct).WithName("GetProduct").WithSummary("One product by key.");

        var registerProducts = app.MapGroup("/api/products").WithTags("Vendors").Performs(Permission.ManageCatalogue);
        registerProducts.MapPost("/", CreateProduct).WithName("CreateProduct")
            .WithSummary("Register a product with its kind, technologies and capability tags. A key already taken answers 409.");
        return app;
    }

    private static async Task<Results<Created<Organization>, ProblemHttpResult>> CreateOrganization(NewOrganization body,
        HttpContext context, Database database) =>
        Problems.Created(await CreateOrganizationAsync(body, context.Caller(), database), o => $"/api/organizations/{o.Key}");

    /// <summary>Registers an organization (vendor).</summary>
    public static async Task<Outcome<Organization>> CreateOrganizationAsync(NewOrganization body, Caller caller, Database database)
    {
        if (Permissions.Refusal(Permission.ManageCatalogue, caller) is { } refused) return Refusal.Forbidden(refused);
        await using var connection = await database.OpenAsync();
        await using var transaction = connection.BeginWrite();
        var organization = await VendorStore.InsertOrganizationAsync(connection, transaction, body.Key, body.Name.Trim(), caller.TokenId);
        await Audit.RecordAsync(connection, transaction, caller, "organization.create", body.Key);
        transaction.Commit();
        return organization;
    }

    private static async Task<Ok<IEnumerable<Organization>>> ListOrganizations(HttpContext context, Database database)
    {
        await using var connection = await database.OpenAsync();
        return TypedResults.Ok(await VendorStore.ListOrganizationsAsync(connection, context.Caller()));
    }

    private static async Task<Results<Ok<Organization>, ProblemHttpResult>> GetOrganization(string key, HttpContext context,
        Database database)
    {
        await using var connection = await database.OpenAsync();
        return await VendorStore.FindOrganizationAsync(connection, key, context.Caller()) is { } organization
            ? TypedResults.Ok(organization)
            : Problems.NotFound($"There is no organization with key '{key}' that you can see.");
    }

    private static async Task<Results<Created<Product>, ProblemHttpResult>> CreateProduct(NewProduct body, HttpContext context,
        Database database) =>
        Problems.Created(await CreateProductAsync(body, context.Caller(), database), p => $"/api/products/{p.Key}");

    /// <summary>
    /// Registers a product with its kind, technologies and capability tags. Every error is answered at once (the
    /// request's shape, the kind, each technology and tag, the organization, tags no loaded plan uses), so that a form
    /// shows them all together: 400 when any is of shape or syntax, else 422.
    /// </summary>
    public static async Task<Outcome<Product>> CreateProductAsync(NewProduct body, Caller caller, Database database)
    {
        if (Permissions.Refusal(Permission.ManageCatalogue, caller) is { } refused) return Refusal.Forbidden(refused);
        var shape = Refusal.OfShape(body)?.Errors.ToDictionary() ?? [];
        foreach (var (field, messages) in CheckShape(body)) shape.TryAdd(field, messages);

        await using var connection = await database.OpenAsync();
        await using var transaction = connection.BeginWrite();
        var rules = new Dictionary<string, string[]>();
        var organizationId = await VendorStore.FindOrganizationIdAsync(connection, body.Organization, transaction);
        if (organizationId is null && !shape.ContainsKey("organization"))
            rules["organization"] = [$"There is no organization with key '{body.Organization}'; register it first."];
        var capabilities = body.Capabilities.Select(c => c?.Trim() ?? "").ToList();
        foreach (var (field, messages) in await KnownCapabilities.CheckAsync(connection, capabilities, transaction))
            if (!shape.ContainsKey(field)) rules[field] = messages;

        if (shape.Count > 0)
        {
            foreach (var (field, messages) in rules) shape.TryAdd(field, messages);
            return Refusal.Invalid(shape, "Some fields are not filled in as they should be.");
        }
        if (rules.Count > 0)
            return Refusal.Unprocessable(rules, rules.ContainsKey("organization") && rules.Count == 1
                ? "The product's organization is unknown."
                : "Some fields name what is not known here; nothing was registered.");

        var technologies = await VendorStore.NormaliseTechnologiesAsync(connection, body.Technologies, transaction);
        var product = await VendorStore.InsertProductAsync(connection, transaction, organizationId!.Value, body.Key, body.Name.Trim(),
            body.Version.Trim(), string.IsNullOrWhiteSpace(body.Line) ? body.Key : body.Line.Trim(), body.Kind, technologies,
            capabilities.Distinct(StringComparer.Ordinal).ToList(), caller.TokenId);
        await Audit.RecordAsync(connection, transaction, caller, "product.create", body.Key);
        transaction.Commit();
        return product;
    }

    /// <summary>What attributes cannot say: the kind from its list, and each technology and tag's syntax, keyed by position.</summary>
    public static Dictionary<string, string[]> CheckShape(NewProduct body)
    {
        var errors = new Dictionary<string, string[]>();
        if (!VendorStore.Kinds.Contains(body.Kind))
            errors["kind"] = [$"'{body.Kind}' is not a product kind; use one of {string.Join(", ", VendorStore.Kinds)}."];
        for (var i = 0; i < body.Technologies.Count; i++)
        {
            var technology = body.Technologies[i]?.Trim() ?? "";
            if (technology.Length is 0 or > 40 || !Vocabulary.Technology().IsMatch(technology))
                errors[$"technologies[{i}]"] =
                    [$"'{technology}' is not a technology word; use letters and digits such as SIP, WebRTC, H.323 (at most 40 characters)."];
        }
        for (var i = 0; i < body.Capabilities.Count; i++)
        {
            var tag = body.Capabilities[i]?.Trim() ?? "";
            if (tag.Length > Vocabulary.MaxTagLength || !Vocabulary.Tag().IsMatch(tag))
                errors[$"capabilities[{i}]"] =
                    [$"'{tag}' is not a capability tag; tags are lowercase words joined by '.' or '-', such as h264 or rtcp-fb.pli."];
        }
        return errors;
    }

    private static async Task<Ok<IReadOnlyList<Product>>> ListProducts(string? organization, HttpContext context, Database database)
    {
        await using var connection = await database.OpenAsync();
        return TypedResults.Ok(await VendorStore.ListProductsAsync(connection, organization, context.Caller()));
    }

    private static async Task<Results<Ok<Product>, ProblemHttpResult>> GetProduct(string key, HttpContext context, Database database)
    {
        await using var connection = await database.OpenAsync();
        return await VendorStore.FindProductAsync(connection, key, context.Caller()) is { } product
            ? TypedResults.Ok(product)
            : Problems.NotFound($"There is no product with key '{key}' that you can see.");
    }
}
