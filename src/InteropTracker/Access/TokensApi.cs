using System.ComponentModel.DataAnnotations;
using Dapper;
using InteropTracker.Core;
using InteropTracker.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace InteropTracker.Access;

public static class TokensApi
{
    public sealed record CreateToken
    {
        [Required] public string Role { get; init; } = "";
        public string? Organization { get; init; }
        [Required, StringLength(200, MinimumLength = 1)] public string Name { get; init; } = "";

        /// <summary>When the token stops working; none: it works until revoked.</summary>
        public DateTimeOffset? ExpiresAt { get; init; }
    }

    public sealed record CreatedToken(long Id, string Token, string Role, string? Organization, string Name, string? ExpiresAt = null);

    public sealed record TokenInfo
    {
        public long Id { get; init; }
        public string Name { get; init; } = "";
        public string Role { get; init; } = "";
        public string? Organization { get; init; }
        public string CreatedAt { get; init; } = "";
        public string? RevokedAt { get; init; }
        public string? ExpiresAt { get; init; }
    }

    public static IEndpointRouteBuilder MapTokens(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tokens").WithTags("Access").Performs(Permission.ManageTokens);
        group.MapPost("/", Create).WithName("CreateToken").WithSummary("Create a token for a role; the secret is shown only in this answer.");
        group.MapGet("/", List).WithName("ListTokens").WithSummary("Every token, without its secret.");
        group.MapDelete("/{id:long}", Revoke).WithName("RevokeToken").WithSummary("Revoke a token; it stops working at once.");
        return app;
    }

    private static async Task<Results<Created<CreatedToken>, ProblemHttpResult>> Create(CreateToken body, HttpContext context,
        Database database) =>
        Problems.Created(await CreateAsync(body, context.Caller(), database), token => $"/api/tokens/{token.Id}");

    /// <summary>Makes a token for a role; its secret is in this answer only.</summary>
    public static async Task<Outcome<CreatedToken>> CreateAsync(CreateToken body, Caller caller, Database database)
    {
        if (Permissions.Refusal(Permission.ManageTokens, caller) is { } refused) return Refusal.Forbidden(refused);
        var errors = new Dictionary<string, string[]>();
        if (!Roles.All.Contains(body.Role))
            errors["role"] = [$"'{body.Role}' is not a role; use one of {string.Join(", ", Roles.All)}."];
        if (body.Role == Roles.Engineer && string.IsNullOrWhiteSpace(body.Organization))
            errors["organization"] = ["An engineer token is bound to one organization: give its key."];
        if (body.Role != Roles.Engineer && !string.IsNullOrWhiteSpace(body.Organization))
            errors["organization"] = ["Only engineer tokens are bound to an organization."];
        if (body.ExpiresAt is { } expiry && expiry <= DateTimeOffset.UtcNow)
            errors["expiresAt"] = [$"{expiry:O} has passed; give a time in the future, or none for a token that works until revoked."];
        if (errors.Count > 0) return Refusal.Invalid(errors, "The token cannot be made as given.");

        await using var connection = await database.OpenAsync();
        await using var transaction = connection.BeginWrite();
        long? organizationId = null;
        if (body.Role == Roles.Engineer)
        {
            organizationId = await connection.QuerySingleOrDefaultAsync<long?>(
                "SELECT id FROM organizations WHERE key = @key", new { key = body.Organization }, transaction);
            if (organizationId is null)
                return Refusal.Invalid(new Dictionary<string, string[]>
                {
                    ["organization"] = [$"There is no organization with key '{body.Organization}'."],
                }, $"There is no organization with key '{body.Organization}'.");
        }
        var secret = Tokens.NewSecret();
        var expiresAt = body.ExpiresAt?.UtcDateTime;
        var id = await Tokens.InsertAsync(connection, secret, body.Role, organizationId, body.Name, caller.TokenId, expiresAt, transaction);
        transaction.Commit();
        return new CreatedToken(id, secret, body.Role, body.Role == Roles.Engineer ? body.Organization : null, body.Name,
            expiresAt is { } e ? Clock.Format(e) : null);
    }

    private static async Task<Ok<IEnumerable<TokenInfo>>> List(Database database) => TypedResults.Ok(await ListAsync(database));

    /// <summary>Every token, without its secret.</summary>
    public static async Task<IEnumerable<TokenInfo>> ListAsync(Database database)
    {
        const string sql = """
            SELECT t.id, t.name, t.role, o.key AS organization, t.created_at AS CreatedAt, t.revoked_at AS RevokedAt,
                   t.expires_at AS ExpiresAt
            FROM tokens t LEFT JOIN organizations o ON o.id = t.organization_id
            ORDER BY t.id
            """;
        await using var connection = await database.OpenAsync();
        return await connection.QueryAsync<TokenInfo>(sql);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Revoke(long id, HttpContext context, Database database,
        ChangeFeed changes) =>
        await RevokeAsync(id, context.Caller(), database, changes) is { Refusal: { } refusal } ? Problems.Of(refusal) : TypedResults.NoContent();

    /// <summary>
    /// Revokes a token, unless it is the last active admin token: nobody could make or revoke tokens after that, and
    /// INTEROP_ADMIN_TOKEN does not bring a revoked token back. One statement, so two admins revoking each other's
    /// tokens at once cannot both succeed. Every instance forgets the credentials it holds once this commits.
    /// </summary>
    public static async Task<Outcome<long>> RevokeAsync(long id, Caller caller, Database database, ChangeFeed changes)
    {
        if (Permissions.Refusal(Permission.ManageTokens, caller) is { } refused) return Refusal.Forbidden(refused);
        await using var connection = await database.OpenAsync();
        await using var transaction = await connection.BeginWriteAsync();
        var now = Clock.Now();
        var changed = await connection.ExecuteAsync("""
            UPDATE tokens SET revoked_at = @now, revoked_by = @by
            WHERE id = @id AND revoked_at IS NULL
              AND (role <> 'admin' OR (expires_at IS NOT NULL AND expires_at <= @now)
                   OR EXISTS (SELECT 1 FROM tokens other
                              WHERE other.id <> @id AND other.role = 'admin' AND other.revoked_at IS NULL
                                AND (other.expires_at IS NULL OR other.expires_at > @now)))
            """,
            new { id, now, by = caller.TokenId }, transaction);
        if (changed == 1)
        {
            await changes.CommitAsync(connection, transaction, Change.Credentials);
            return id;
        }
        var active = await connection.ExecuteScalarAsync<bool>("SELECT EXISTS (SELECT 1 FROM tokens WHERE id = @id AND revoked_at IS NULL)",
            new { id }, transaction);
        return active
            ? Refusal.Conflict($"Token {id} is the last active admin token: without it nobody could make or revoke tokens. " +
                "Make another admin token first, sign in with it, then revoke this one.")
            : Refusal.NotFound($"There is no active token with id {id}.");
    }
}
