using System.Text.Json.Serialization;
using InteropTracker.Access;
using InteropTracker.Events;
using InteropTracker;
using InteropTracker.Core;
using InteropTracker.Corrections;
using InteropTracker.Demo;
using InteropTracker.Engine;
using InteropTracker.Engine.Postgres;
using InteropTracker.Engine.Sqlite;
using InteropTracker.Evidence;
using InteropTracker.Matrix;
using InteropTracker.Pages;
using InteropTracker.Reports;
using InteropTracker.Schedule;
using InteropTracker.Storage;
using InteropTracker.TestPlans;
using InteropTracker.Vendors;
using InteropTracker.EventResults;
using InteropTracker.History;
using InteropTracker.Registrations;
using Microsoft.AspNetCore.Authentication;
using Scalar.AspNetCore;

// `--demo` generates a realistic event once the server is up (see Demo/DemoEvent.cs).
var demo = args.Contains("--demo");
// Settings are read once at start: reloading them on change would put a file watcher over the content root, which
// holds the database by default (data/), and every write to it would wake that watcher (a tenth of the server's CPU
// while results are logged).
var builder = WebApplication.CreateBuilder([.. args.Where(a => a != "--demo"), "--hostBuilder:reloadConfigOnChange=false"]);

builder.Services.AddSingleton(sp => Database.FromConfiguration(builder.Configuration, builder.Environment));
builder.Services.AddSingleton<IResultEngine>(sp => sp.GetRequiredService<Database>() switch
{
    SqliteDatabase sqlite => ActivatorUtilities.CreateInstance<SqliteResultEngine>(sp, sqlite),
    PostgresDatabase postgres => ActivatorUtilities.CreateInstance<PostgresResultEngine>(sp, postgres),
    var other => throw new InvalidOperationException($"No result engine for {other.Kind}."),
});
builder.Services.AddSingleton<ChangeFeed>();
builder.Services.AddHostedService(sp => sp.GetRequiredService<ChangeFeed>());
builder.Services.AddSingleton<TokenCache>();
builder.Services.AddSingleton<FailedAuthenticationThrottle>();
builder.AddTrustedProxies();
builder.Services.AddSingleton<PlanningCache>();
builder.Services.AddSingleton(sp => EvidenceOptions.From(builder.Configuration, sp.GetRequiredService<Database>()));
builder.Services.AddProblemDetails(ProblemWording.Configure);
builder.Services.AddExceptionHandler<ConflictHandler>();
builder.Services.AddExceptionHandler<DiskFullHandler>();
builder.AddBodyLimits();
builder.Services.AddValidation();
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.Converters.Add(new JsonStringEnumConverter());
    o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJson.Default);
});
builder.Services.AddApiReference();
builder.Services.AddAuthentication(TokenAuthentication.SchemeName)
    .AddScheme<AuthenticationSchemeOptions, TokenAuthentication>(TokenAuthentication.SchemeName, null);
PermissionEndpoints.AddPolicies(builder.Services.AddAuthorizationBuilder());
builder.AddWebPages();
builder.Services.AddRateLimiter(ImportLimit.Add);

var app = builder.Build();

var database = app.Services.GetRequiredService<Database>();
Migrations.Apply(database);
await Tokens.EnsureFirstAdminAsync(database, app.Configuration, app.Logger);
await TestCasesFolder.LoadIntoFreshDatabaseAsync(database, app.Configuration, app.Environment, app.Logger);

app.UseTrustedProxies();
app.UseSecurityHeaders();
app.UseExceptionHandler();
app.UseDiskFullRecovery();
app.UseStatusCodePages();
app.UseWebPages();
app.UseFailedAuthenticationThrottle();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

app.MapOpenApi().Performs(Permission.Public);
// The API reference starts under a per-request CSP nonce (see SecurityHeaders) and uses the browser's fonts, not a font CDN.
app.MapScalarApiReference(options => options.WithNonce().DisableDefaultFonts()).Performs(Permission.Public);
app.MapHealth();
app.MapTokens();
app.MapTestPlans();
app.MapVendors();
app.MapEvents();
app.MapResults();
app.MapMatrix();
app.MapReports();
app.MapSchedule();
app.MapEvidence();
app.MapHistory();
app.MapCorrections();
app.MapSnapshots();
app.MapRegistrations();
app.MapWebPages();

if (demo) await DemoEvent.RunAsync(app);
else app.Run();

public partial class Program;
