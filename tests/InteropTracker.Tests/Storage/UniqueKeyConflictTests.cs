using System.Net;
using Dapper;
using InteropTracker.Storage;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace InteropTracker.Tests.Storage;

/// <summary>
/// A second row with a taken unique key answers 409 naming the table and the column, in the same words on either engine:
/// ConflictHandler reads them from SQLite's message or from PostgreSQL's table and detail fields.
/// </summary>
public sealed class UniqueKeyConflictTests(AppFixture app) : IClassFixture<AppFixture>
{
    private readonly Build _build = new(409);

    [Fact]
    public async Task A_taken_organization_or_product_key_answers_409_naming_table_and_column_and_changes_nothing()
    {
        var admin = app.Admin();
        var organization = _build.Organization();
        await admin.Register(organization);
        var product = _build.Product(organization.Key);
        await admin.Register(product);
        var before = Rows();

        var again = await admin.PostJson("/api/organizations", organization with { Name = "Another name" });
        Assert.Equal("An organization with this key already exists (organizations.key is unique); choose another key, or change the existing one.",
            (await Problem.ReadAsync(again, HttpStatusCode.Conflict)).Detail);
        var twice = await admin.PostJson("/api/products", product with { Name = "Another product" });
        Assert.Equal("A product with this key already exists (products.key is unique); choose another key, or change the existing one.",
            (await Problem.ReadAsync(twice, HttpStatusCode.Conflict)).Detail);

        Assert.Equal(before, Rows());
    }

    [Fact]
    public void Both_engines_violations_of_a_key_of_two_columns_read_the_same()
    {
        const string expected = "A row of participants with this event id and product id already exists " +
                                "(participants.event_id, participants.product_id is unique); choose another event id and product id, or change the existing one.";
        var sqlite = new SqliteException("SQLite Error 19: 'UNIQUE constraint failed: participants.event_id, participants.product_id'.", 19, 2067);
        var postgres = new PostgresException("duplicate key value violates unique constraint \"participants_pkey\"", "ERROR", "ERROR",
            PostgresErrorCodes.UniqueViolation, detail: "Key (event_id, product_id)=(1, 2) already exists.", tableName: "participants");

        Assert.True(ConflictHandler.IsUniqueViolation(sqlite));
        Assert.True(ConflictHandler.IsUniqueViolation(postgres));
        Assert.Equal(expected, ConflictHandler.DetailOf(sqlite));
        Assert.Equal(expected, ConflictHandler.DetailOf(postgres));
    }

    private string Rows()
    {
        using var db = app.OpenDatabase();
        return db.QuerySingle<string>("""
            SELECT (SELECT count(*) FROM organizations) || '/' || (SELECT count(*) FROM products) || '/' ||
                   (SELECT count(*) FROM audit_log) || '/' ||
                   (SELECT string_agg(key || name, ',' ORDER BY key) FROM organizations) || '/' ||
                   (SELECT string_agg(key || name, ',' ORDER BY key) FROM products)
            """);
    }
}
