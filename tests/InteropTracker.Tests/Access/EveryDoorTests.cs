using System.Net;
using System.Net.Http.Headers;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Pages;
using InteropTracker.Tests.EventResults;
using InteropTracker.Vendors;
using InteropTracker.EventResults;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.Mvc.RazorPages;
using Microsoft.AspNetCore.Mvc.RazorPages.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace InteropTracker.Tests.Access;

/// <summary>
/// Every door of the app, found from its own endpoint data (API routes) and page action descriptors (page handlers by
/// reflection), is asked by each role of DESIGN.md's Access table. Each door must declare the action it performs; the
/// answer must match that action's rule; a refused write must leave the database as it was. A new route or page
/// handler fails here until it declares its action and is given a sample request below.
/// </summary>
public sealed partial class EveryDoorTests(AppFixture app) : IClassFixture<AppFixture>
{
    private readonly Build _build = new(seed: 16);

    /// <summary>The roles of the Access table, with an engineer on each side of the event.</summary>
    public enum Who { Anonymous, Member, EngineerIn, EngineerOut, Chair, Admin }

    /// <summary>
    /// DESIGN.md's Access table, written again here independently of the app's rule: whether the role may perform the
    /// action. An engineer is limited to what its organization takes part in: the engineer "in" is of the event under
    /// test (and of the result's pairing), the engineer "out" of an organization outside it.
    /// </summary>
    private static bool Allowed(Permission permission, Who who, bool ofTheEvent)
    {
        if (who is Who.EngineerOut && ofTheEvent && permission is not Permission.Public) return false;
        return permission switch
        {
            Permission.Public => true,
            Permission.ManageTokens or Permission.Unpublish => who is Who.Admin,
            Permission.ManageTestPlans or Permission.ManageCatalogue or Permission.ManageEvents => who is Who.Admin or Who.Chair,
            Permission.LogResults or Permission.ReviewResults => who is Who.Admin or Who.EngineerIn or Who.EngineerOut,
            // Anonymous callers get only a closed, published event's anonymised report; the event under test is open.
            Permission.ReadEvents or Permission.ReadTestPlans or Permission.ReadCatalogue or Permission.DownloadReports =>
                who is not Who.Anonymous,
            Permission.BuildSchedule => who is Who.Admin or Who.Chair,
            Permission.ReadSchedule => who is not Who.Anonymous,
            Permission.ReadEvidence => who is Who.Admin or Who.Chair or Who.EngineerIn,
            Permission.AttachEvidence => who is Who.Admin or Who.EngineerIn,
            Permission.ReadHistory => who is not Who.Anonymous,
            Permission.ReadAudit => who is Who.Admin or Who.Chair,
            _ => throw new ArgumentOutOfRangeException(nameof(permission)),
        };
    }

    /// <summary>
    /// A request to one door: where, how, whether it writes, and whether it concerns the event under test (its results,
    /// numbers, participants' products), which an engineer of another organization may not reach.
    /// </summary>
    private sealed record Sample(HttpMethod Method, string Url, Func<HttpContent?> Body, bool Writes, bool OfTheEvent = false);

    private sealed record Door(string Name, Permission Permission, bool IsPage, Func<Sample> Sample);

    private sealed class World
    {
        public required TestFloor Floor { get; init; }
        public required Dictionary<Who, string?> Tokens { get; init; }
        public required long ResultId { get; init; }
        public required Product Newcomer { get; init; }
        public required Organization NewcomerOrganization { get; init; }
        public required string Plan { get; init; }

        /// <summary>A closed event of the same two products, with a snapshot: the doors of snapshots.</summary>
        public required string Closed { get; init; }
    }

    private async Task<World> WorldAsync()
    {
        var floor = await TestFloor.OpenAsync(app, _build);
        // Logged by the other side (b), so that a's engineer may review it.
        var result = await floor.Log(floor.EngineerB, floor.Result(TestFloor.Call, floor.A1, floor.B1));
        var organization = await floor.Chair.Register(_build.Organization());
        var newcomer = await floor.Chair.Register(_build.Product(organization.Key) with { Technologies = ["SIP"], Capabilities = ["h264"] });
        var closed = await floor.Chair.Create(_build.Event(floor.Sip));
        await floor.Chair.Enter(closed.Key, floor.A1.Key, floor.B1.Key);
        await floor.Chair.MoveTo(closed.Key, "open");
        await floor.Chair.MoveTo(closed.Key, "closed");
        (await floor.Chair.PostJson($"/api/events/{closed.Key}/snapshots", new { })).EnsureSuccessStatusCode();
        return new World
        {
            Closed = closed.Key,
            Floor = floor, ResultId = result.Id, Newcomer = newcomer, NewcomerOrganization = organization, Plan = floor.Sip,
            Tokens = new()
            {
                [Who.Anonymous] = null,
                [Who.Member] = await app.NewToken(Roles.Member),
                [Who.EngineerIn] = await app.NewToken(Roles.Engineer, floor.A1.Organization),
                [Who.EngineerOut] = await app.NewToken(Roles.Engineer, floor.Outsider.Organization),
                [Who.Chair] = await app.NewToken(Roles.Chair),
                [Who.Admin] = AppFixture.AdminToken,
            },
        };
    }

    private static StringContent Json(object body) => TestFloor.Content(JsonSerializer.Serialize(body, JsonSerializerOptions.Web), "application/json");

    /// <summary>A sample request for each API route, by route name: fresh keys each time, so that every allowed write succeeds.</summary>
    private Dictionary<string, Func<Sample>> ApiSamples(World w)
    {
        var f = w.Floor;
        var e = f.Event;
        Sample Get(string url) => new(HttpMethod.Get, url, () => null, false, url.Contains(e));
        Sample Post(string url, Func<HttpContent> body) => new(HttpMethod.Post, url, body, true, url.Contains(e));
        return new()
        {
            ["Health"] = () => Get("/healthz"),
            ["/openapi/{documentName}.json"] = () => Get("/openapi/v1.json"),
            ["/scalar/{documentName?}"] = () => Get("/scalar/v1"),
            ["{**path:file}"] = () => Get("/site.css"),
            ["Ping"] = () => Get("/api/ping"),
            ["CreateToken"] = () => Post("/api/tokens", () => Json(new { role = Roles.Member, name = Build.UniqueKey("token") })),
            ["ListTokens"] = () => Get("/api/tokens"),
            ["RevokeToken"] = () =>
            {
                var id = Throwaway().GetAwaiter().GetResult();
                return new Sample(HttpMethod.Delete, $"/api/tokens/{id}", () => null, true);
            },
            ["LoadTestPlan"] = () => Post("/api/test-plans", () => TestFloor.Content(Build.Plan(new CaseSpec { Id = "X-1" }).ToYaml(), "application/yaml")),
            ["ListTestPlans"] = () => Get("/api/test-plans"),
            ["GetTestPlan"] = () => Get($"/api/test-plans/{w.Plan}"),
            ["GetTestPlanVersion"] = () => Get($"/api/test-plans/{w.Plan}/versions/1.0"),
            ["DiffTestPlanVersions"] = () => Get($"/api/test-plans/{w.Plan}/diff?from=1.0&to=1.0"),
            ["ListOrganizations"] = () => Get("/api/organizations"),
            ["GetOrganization"] = () => Get($"/api/organizations/{f.B1.Organization}") with { OfTheEvent = true },
            ["CreateOrganization"] = () => Post("/api/organizations", () => Json(_build.Organization())),
            ["ListProducts"] = () => Get("/api/products"),
            ["GetProduct"] = () => Get($"/api/products/{f.B1.Key}") with { OfTheEvent = true },
            ["CreateProduct"] = () => Post("/api/products", () => Json(_build.Product(w.NewcomerOrganization.Key) with { Technologies = ["SIP"], Capabilities = [] })),
            ["ListEvents"] = () => Get("/api/events"),
            ["GetEvent"] = () => Get($"/api/events/{e}"),
            ["ListParticipants"] = () => Get($"/api/events/{e}/participants"),
            ["CreateEvent"] = () => Post("/api/events", () => Json(_build.Event(w.Plan))),
            ["AddParticipants"] = () => Post($"/api/events/{e}/participants", () => Json(new { products = new[] { w.Newcomer.Key } })),
            ["ChangeEventStatus"] = () => Post($"/api/events/{e}/status", () => Json(new { status = "open" })),
            ["ListResults"] = () => Get($"/api/events/{e}/results"),
            ["GetResult"] = () => Get($"/api/events/{e}/results/{w.ResultId}"),
            ["ResultHistory"] = () => Get($"/api/events/{e}/results/{w.ResultId}/history"),
            ["LogResult"] = () => Post(f.Results, () => Json(f.Result(TestFloor.Call, f.A1, f.B1, "fail"))),
            ["ImportResults"] = () => Post($"{f.Results}/import", () => TestFloor.Content(
                $"plan,case,initiator,responder,verdict\n{f.Sip},{TestFloor.Call},{f.A1.Key},{f.B1.Key},pass\n", "text/csv")),
            ["ConfirmResult"] = () => Relogged(w) ?? Post($"{f.Results}/{w.ResultId}/confirm", () => Json(new { })),
            ["DisputeResult"] = () => Relogged(w) ?? Post($"{f.Results}/{w.ResultId}/dispute", () => Json(new { reason = "No video on our side" })),
            ["GetMatrix"] = () => Get($"/api/events/{e}/matrix"),
            ["GetSummary"] = () => Get($"/api/events/{e}/summary"),
            ["GetTestCaseStatistics"] = () => Get($"/api/events/{e}/test-case-stats"),
            ["DownloadReportWorkbook"] = () => Get($"/api/events/{e}/report.xlsx"),
            ["DownloadReportPdf"] = () => Get($"/api/events/{e}/report.pdf"),
            ["BuildSchedule"] = () => Post($"/api/events/{e}/schedule", () => Json(ScheduleBody)),
            ["GetSchedule"] = () => Scheduled(w) ?? Get($"/api/events/{e}/schedule"),
            ["GetScheduleCalendar"] = () => Scheduled(w) ?? Get($"/api/events/{e}/schedule.ics?product={f.A1.Key}"),
            ["ListEvidence"] = () => Get($"{f.Results}/{w.ResultId}/evidence"),
            ["DownloadEvidence"] = () => Get($"{f.Results}/{w.ResultId}/evidence/{AttachedEvidence(w)}"),
            ["AttachEvidence"] = () => Post($"{f.Results}/{w.ResultId}/evidence", () => Tests.Evidence.EvidenceApiTests.File("call.pcap",
                Tests.Evidence.EvidenceApiTests.Pcap())),
            ["RemoveEvidence"] = () => new Sample(HttpMethod.Delete, $"{f.Results}/{w.ResultId}/evidence/{AttachedEvidence(w)}", () => null,
                true, true),
            ["DiffEvents"] = () => Get($"/api/history/diff?from={e}&to={e}"),
            ["GetLineHistory"] = () => Get($"/api/history/lines/{f.A1.Line}") with { OfTheEvent = true },
            ["ChangeOrganization"] = () => Patch($"/api/organizations/{w.NewcomerOrganization.Key}", new { name = Build.UniqueKey("Renamed") }),
            ["ChangeProduct"] = () => Patch($"/api/products/{w.Newcomer.Key}", new { name = Build.UniqueKey("Renamed") }),
            ["ChangeEvent"] = () => Patch($"/api/events/{e}", new { location = Build.UniqueKey("Hall") }),
            ["WithdrawParticipant"] = () => new Sample(HttpMethod.Delete, $"/api/events/{e}/participants/{Entered(w)}?retire=true", () => null, true, true),
            ["EventAudit"] = () => Get($"/api/events/{e}/audit"),
            ["ImportRegistrations"] = () => Post("/api/registrations/import", () => TestFloor.Content(
                $"organization,organization_name,product,product_name,version,kind,technologies,capabilities\n" +
                $"{Build.UniqueKey("bulk-org")},Bulk Org,{Build.UniqueKey("bulk-product")},Bulk Phone,1.0,endpoint,SIP,h264\n", "text/csv")),
            ["RegistrationTemplateCsv"] = () => Get("/api/registrations/template.csv"),
            ["RegistrationTemplateWorkbook"] = () => Get("/api/registrations/template.xlsx"),
            ["TakeSnapshot"] = () => Post($"/api/events/{w.Closed}/snapshots", () => Json(new { })) with { OfTheEvent = true },
            ["ListSnapshots"] = () => Get($"/api/events/{e}/snapshots"),
            ["DownloadSnapshotWorkbook"] = () => Get($"/api/events/{w.Closed}/snapshots/1/report.xlsx") with { OfTheEvent = true },
            ["DownloadSnapshotPdf"] = () => Get($"/api/events/{w.Closed}/snapshots/1/report.pdf?anonymize=true") with { OfTheEvent = true },
        };
        Sample Patch(string url, object body) => new(HttpMethod.Patch, url, () => Json(body), true, url.Contains(e));
    }

    /// <summary>
    /// Logs the reviewed result again from the other side (b), so that whatever was logged before, a's engineer and the
    /// admin are the ones who may review its current revision. Always null: it only prepares the sample.
    /// </summary>
    private static Sample? Relogged(World w)
    {
        w.Floor.Log(w.Floor.EngineerB, w.Floor.Result(TestFloor.Call, w.Floor.A1, w.Floor.B1)).GetAwaiter().GetResult();
        return null;
    }

    private static readonly object ScheduleBody = new
    {
        slots = new[] { new { start = "2030-05-04T09:00:00Z", end = "2030-05-04T10:00:00Z" } }, tables = 2,
    };

    /// <summary>Builds the event's timetable as the admin, so that reading it has something to read. Always null.</summary>
    private Sample? Scheduled(World w)
    {
        using var response = app.Admin().PostJson($"/api/events/{w.Floor.Event}/schedule", ScheduleBody).GetAwaiter().GetResult();
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return null;
    }

    /// <summary>Attaches a trace to the sample result as an admin: the number of the evidence file to read or remove.</summary>
    private long AttachedEvidence(World w)
    {
        var response = app.Admin().PostAsync($"{w.Floor.Results}/{w.ResultId}/evidence",
            Tests.Evidence.EvidenceApiTests.File("sample.pcap", Tests.Evidence.EvidenceApiTests.Pcap())).GetAwaiter().GetResult();
        return response.ReadJson<InteropTracker.Evidence.EvidenceInfo>(HttpStatusCode.Created).GetAwaiter().GetResult().N;
    }

    /// <summary>A product newly registered and entered in the event under test, for a withdrawal to withdraw.</summary>
    private string Entered(World w)
    {
        var product = w.Floor.Chair.Register(_build.Product(w.NewcomerOrganization.Key) with { Technologies = ["SIP"] }).GetAwaiter().GetResult();
        w.Floor.Chair.Enter(w.Floor.Event, product.Key).GetAwaiter().GetResult();
        return product.Key;
    }

    private async Task<long> Throwaway()
    {
        var response = await app.Admin().PostJson("/api/tokens", new { role = Roles.Member, name = Build.UniqueKey("throwaway") });
        return (await response.ReadJson<AppFixture.CreatedToken>(HttpStatusCode.Created)).Id;
    }

    /// <summary>A closed, published event on the world's plan: the only kind with a public page.</summary>
    private async Task<string> Published(World w)
    {
        var admin = app.Admin();
        var e = _build.Event(w.Plan);
        (await admin.PostJson("/api/events", e)).EnsureSuccessStatusCode();
        (await admin.PostJson($"/api/events/{e.Key}/status", new { status = "open" })).EnsureSuccessStatusCode();
        (await admin.PostJson($"/api/events/{e.Key}/status", new { status = "closed" })).EnsureSuccessStatusCode();
        // Publishing names a snapshot of the closed event.
        (await admin.PostJson($"/api/events/{e.Key}/snapshots", new { })).EnsureSuccessStatusCode();
        (await admin.PostJson($"/api/events/{e.Key}/status", new { status = "closed", published = true })).EnsureSuccessStatusCode();
        return e.Key;
    }

    /// <summary>A sample form for each page handler, by page and handler; the antiforgery field is added when sent.</summary>
    private Dictionary<string, Func<Sample>> PageSamples(World w)
    {
        var f = w.Floor;
        var e = f.Event;
        Sample Get(string url) => new(HttpMethod.Get, url, () => null, false, url.Contains(e));
        Sample Post(string url, params (string, string)[] fields) =>
            new(HttpMethod.Post, url, () => new FormUrlEncodedContent(fields.Select(x => KeyValuePair.Create(x.Item1, x.Item2))), true,
                url.Contains(e));
        var results = $"/events/{e}/results?product={f.A1.Key}&peer={f.B1.Key}";
        return new()
        {
            ["/Index GET"] = () => Get("/"),
            ["/SignIn GET"] = () => Get("/signin"),
            ["/SignIn POST"] = () => Post("/signin", ("Token", "itk_not-a-token")) with { Writes = false },
            ["/SignIn POST SignOut"] = () => Post("/signin?handler=SignOut") with { Writes = false },
            ["/Error GET"] = () => Get("/error/400"),
            ["/Error POST"] = () => Post("/error/400") with { Writes = false },
            ["/Events/Event GET"] = () => Get($"/events/{e}"),
            ["/Events/Event GET Live"] = () => Get($"/events/{e}?handler=Live"),
            ["/Events/Pairing GET"] = () => Get($"/events/{e}/pairing?a={f.A1.Key}&b={f.B1.Key}"),
            ["/Events/Results GET"] = () => Get(results),
            ["/Events/Results POST Verdict"] = () => Post($"{results}&handler=Verdict",
                ("plan", f.Sip), ("case", TestFloor.Call), ("initiator", f.A1.Key), ("responder", f.B1.Key), ("verdict", "fail")),
            ["/Events/Results POST Confirm"] = () => Relogged(w) ?? Post($"{results}&handler=Confirm", ("id", w.ResultId.ToString())),
            ["/Events/Results POST Dispute"] = () => Relogged(w) ?? Post($"{results}&handler=Dispute", ("id", w.ResultId.ToString()), ("reason", "No video")),
            ["/Events/Evidence GET"] = () => Get($"/events/{e}/results/{w.ResultId}/evidence"),
            ["/Events/Evidence POST"] = () => new Sample(HttpMethod.Post, $"/events/{e}/results/{w.ResultId}/evidence",
                () => Tests.Evidence.EvidenceApiTests.File("page.pcap", Tests.Evidence.EvidenceApiTests.Pcap(seed: 9)), true, true),
            ["/Events/Evidence POST Remove"] = () => Post($"/events/{e}/results/{w.ResultId}/evidence?handler=Remove",
                ("n", AttachedEvidence(w).ToString())),
            ["/Events/Results GET Live"] = () => Get($"{results}&handler=Live"),
            ["/Events/Results GET Rows"] = () => Get($"{results}&handler=Rows&ids=cell-0-0-0"),
            ["/Pairings/Mine GET"] = () => Get("/my-pairings"),
            ["/TestPlans/Index GET"] = () => Get("/test-plans"),
            ["/TestPlans/Index POST"] = () => new Sample(HttpMethod.Post, "/test-plans", () =>
            {
                var form = new MultipartFormDataContent();
                var file = new StringContent(Build.Plan(new CaseSpec { Id = "Y-1" }).ToYaml(), Encoding.UTF8);
                form.Add(file, "Upload", "plan.yaml");
                return form;
            }, true),
            ["/TestPlans/Plan GET"] = () => Get($"/test-plans/{w.Plan}"),
            ["/TestPlans/Diff GET"] = () => Get($"/test-plans/{w.Plan}/diff?from=1.0&to=1.0"),
            ["/Setup/Organizations GET"] = () => Get("/setup/organizations"),
            ["/Setup/Organizations POST"] = () =>
            {
                var o = _build.Organization();
                return Post("/setup/organizations", ("Form.Key", o.Key), ("Form.Name", o.Name));
            },
            ["/Setup/Products GET"] = () => Get("/setup/products"),
            ["/Setup/Products POST"] = () =>
            {
                var p = _build.Product(w.NewcomerOrganization.Key);
                return Post("/setup/products", ("Form.Key", p.Key), ("Form.Organization", p.Organization), ("Form.Name", p.Name),
                    ("Form.Version", p.Version), ("Form.Kind", p.Kind), ("Form.Technologies", "SIP"));
            },
            ["/Setup/Tokens GET"] = () => Get("/setup/tokens"),
            ["/Setup/Tokens POST"] = () => Post("/setup/tokens", ("Form.Role", Roles.Member), ("Form.Name", Build.UniqueKey("page token"))),
            ["/Setup/Tokens POST Revoke"] = () => Post("/setup/tokens?handler=Revoke", ("id", Throwaway().GetAwaiter().GetResult().ToString())),
            ["/Setup/Events/New GET"] = () => Get("/setup/events/new"),
            ["/Setup/Events/New POST"] = () =>
            {
                var n = _build.Event(w.Plan);
                return Post("/setup/events/new", ("Form.Key", n.Key), ("Form.Name", n.Name), ("Form.StartDate", n.StartDate),
                    ("Form.EndDate", n.EndDate), ("Form.Plans", w.Plan));
            },
            ["/Setup/Events/Manage GET"] = () => Get($"/setup/events/{e}"),
            ["/Setup/Events/Manage POST Participants"] = () => Post($"/setup/events/{e}?handler=Participants", ("Products", w.Newcomer.Key)),
            ["/Setup/Events/Manage POST Status"] = () => Post($"/setup/events/{e}?handler=Status", ("status", "open")),
            ["/Events/Schedule GET"] = () => Scheduled(w) ?? Get($"/events/{e}/schedule"),
            ["/Events/NextSession GET"] = () => Scheduled(w) ?? Get($"/events/{e}/schedule/next?product={f.A1.Key}"),
            ["/History/Diff GET"] = () => Get($"/history/diff?from={e}&to={e}"),
            ["/History/Line GET"] = () => Get($"/history/lines/{f.A1.Line}") with { OfTheEvent = true },
            ["/Setup/EditOrganization GET"] = () => Get($"/setup/organizations/{w.NewcomerOrganization.Key}/edit"),
            ["/Setup/EditOrganization POST"] = () => Post($"/setup/organizations/{w.NewcomerOrganization.Key}/edit", ("Name", Build.UniqueKey("Renamed"))),
            ["/Setup/EditProduct GET"] = () => Get($"/setup/products/{w.Newcomer.Key}/edit"),
            ["/Setup/EditProduct POST"] = () => Post($"/setup/products/{w.Newcomer.Key}/edit", ("Form.Name", Build.UniqueKey("Renamed")),
                ("Form.Version", "2.0"), ("Form.Kind", "endpoint"), ("Form.Technologies", "SIP"), ("Form.Capabilities", "h264")),
            ["/Setup/Events/Edit GET"] = () => Get($"/setup/events/{e}/edit"),
            ["/Setup/Events/Edit POST"] = () =>
            {
                var info = app.Admin().GetAsync($"/api/events/{e}").ReadJson<InteropTracker.Events.EventInfo>().GetAwaiter().GetResult();
                return Post($"/setup/events/{e}/edit", ("Form.Name", Build.UniqueKey("Renamed")), ("Form.Location", info.Location),
                    ("Form.StartDate", info.StartDate), ("Form.EndDate", info.EndDate));
            },
            ["/Setup/Events/Edit POST Withdraw"] = () => Post($"/setup/events/{e}/edit?handler=Withdraw", ("product", Entered(w)), ("retire", "true")),
            ["/Events/Audit GET"] = () => Get($"/events/{e}/audit"),
            ["/Setup/Events/Manage POST Review"] = () => Post($"/setup/events/{e}?handler=Review", ("reviewUntil", "")),
            ["/Setup/Events/Manage POST Snapshot"] = () => Post($"/setup/events/{w.Closed}?handler=Snapshot") with { OfTheEvent = true },
            ["/Setup/Registrations GET"] = () => Get("/setup/registrations"),
            ["/Setup/Registrations POST"] = () => new Sample(HttpMethod.Post, "/setup/registrations", () =>
            {
                var form = new MultipartFormDataContent();
                var file = new StringContent("organization,organization_name,product,product_name,version,kind,technologies,capabilities\n" +
                    $"{Build.UniqueKey("page-org")},Page Org,{Build.UniqueKey("page-product")},Page Phone,2.0,endpoint,SIP,\n", Encoding.UTF8);
                form.Add(file, "Upload", "registrations.csv");
                return form;
            }, true),
            ["/Events/Event GET Grid"] = () => Get($"/events/{e}?handler=Grid&technology=SIP"),
            ["/Events/Event GET Problems"] = () => Get($"/events/{e}?handler=Problems"),
            ["/Events/Cell GET"] = () => Get($"/events/{e}/cell?a={f.A1.Key}&b={f.B1.Key}&technology=SIP"),
            ["/Public GET"] = () => Get($"/public/{Published(w).GetAwaiter().GetResult()}"),
        };
    }

    /// <summary>Every API route (from the endpoint data sources) and every page handler (from the page descriptors).</summary>
    private async Task<IReadOnlyList<Door>> DoorsAsync(World w)
    {
        var doors = new List<Door>();
        var missing = new List<string>();
        var api = ApiSamples(w);
        var pages = PageSamples(w);

        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();
        foreach (var endpoint in endpoints.Where(ep => ep.Metadata.GetMetadata<ActionDescriptor>() is null))
        {
            var pattern = endpoint.RoutePattern.RawText ?? "";
            var name = endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
            var declared = endpoint.Metadata.GetOrderedMetadata<PerformsAttribute>();
            // The static-asset runtime adds a file fallback of its own, past MapStaticAssets' conventions: it serves
            // wwwroot's files, public like the assets themselves, and is asked here as such.
            if (pattern == "{**path:file}" && endpoint.DisplayName?.StartsWith("Fallback", StringComparison.Ordinal) == true)
                declared = [new PerformsAttribute(Permission.Public)];
            if (declared.Count != 1)
            {
                missing.Add($"route {pattern} ({endpoint.DisplayName}) declares {declared.Count} actions; give it exactly one with .Performs(Permission.…)");
                continue;
            }
            var method = endpoint.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.FirstOrDefault() ?? "GET";
            if (api.TryGetValue(name ?? pattern, out var sample))
                doors.Add(new Door($"{method} {pattern} ({name})", declared[0].Permission, false, sample));
            else if (endpoint.RoutePattern.Parameters.Count == 0 && method == "GET")
                doors.Add(new Door($"GET {pattern}", declared[0].Permission, false,
                    () => new Sample(HttpMethod.Get, "/" + pattern.TrimStart('/'), () => null, false)));
            else
                missing.Add($"route {method} {pattern} ({name}) has no sample request in {nameof(EveryDoorTests)}");
        }

        var loader = app.Services.GetRequiredService<PageLoader>();
        var descriptors = app.Services.GetRequiredService<IActionDescriptorCollectionProvider>().ActionDescriptors.Items
            .OfType<PageActionDescriptor>();
        foreach (var descriptor in descriptors)
        {
            var compiled = await loader.LoadAsync(descriptor, EndpointMetadataCollection.Empty);
            foreach (var handler in compiled.HandlerMethods)
            {
                var key = $"{descriptor.ViewEnginePath} {handler.HttpMethod.ToUpperInvariant()}{(handler.Name is null ? "" : " " + handler.Name)}";
                var declared = PermissionFilter.Declared(compiled.HandlerTypeInfo, handler.MethodInfo);
                if (declared is null)
                    missing.Add($"page handler {key} ({compiled.HandlerTypeInfo.Name}.{handler.MethodInfo.Name}) declares no action: put [Performs(Permission.…)] on it");
                else if (!pages.TryGetValue(key, out var sample))
                    missing.Add($"page handler {key} has no sample request in {nameof(EveryDoorTests)}");
                else
                    doors.Add(new Door($"page {key}", declared.Value, true, sample));
            }
        }
        Assert.True(missing.Count == 0, string.Join("\n", missing));
        return doors;
    }

    [Fact]
    public async Task Every_route_and_page_handler_declares_its_action_and_answers_each_role_as_the_access_table_says()
    {
        var w = await WorldAsync();
        var doors = await DoorsAsync(w);
        Assert.Contains(doors, d => d.IsPage && d.Permission == Permission.LogResults);
        Assert.Contains(doors, d => !d.IsPage && d.Permission == Permission.LogResults);

        var wrong = new List<string>();
        foreach (var door in doors)
            foreach (var who in Enum.GetValues<Who>())
            {
                var sample = door.Sample();
                var before = Fingerprint();
                using var response = await SendAsync(sample, w.Tokens[who], door.IsPage);
                var status = (int)response.StatusCode;
                var toSignIn = response.StatusCode == HttpStatusCode.Redirect &&
                               response.Headers.Location?.OriginalString.StartsWith("/signin?returnUrl=", StringComparison.Ordinal) == true;
                var refused = status is 401 or 403 or 404 || toSignIn;
                var allowed = Allowed(door.Permission, who, sample.OfTheEvent);
                var answer = $"{status}{(response.Headers.Location is { } l ? " → " + l : "")}";
                if (allowed && (refused || status >= 400))
                    wrong.Add($"{door.Name} as {who} ({door.Permission}): refused with {answer}: {await Body(response)}");
                else if (!allowed && !refused)
                    wrong.Add($"{door.Name} as {who} ({door.Permission}): allowed with {answer}");
                else if (!allowed && sample.Writes && Fingerprint() != before)
                    wrong.Add($"{door.Name} as {who} ({door.Permission}): refused with {answer}, but the database changed");
            }
        Assert.True(wrong.Count == 0, string.Join("\n", wrong));
    }

    private static async Task<string> Body(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return text.Length > 300 ? text[..300] : text;
    }

    /// <summary>Sends a sample as the caller: the bearer token for the API; for pages the sign-in cookie and an antiforgery token.</summary>
    private async Task<HttpResponseMessage> SendAsync(Sample sample, string? token, bool isPage)
    {
        var client = app.WithoutCookieJar();
        var request = new HttpRequestMessage(sample.Method, sample.Url) { Content = sample.Body() };
        if (!isPage)
        {
            if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return await client.SendAsync(request);
        }
        var cookies = token is null ? new List<string>() : [await SessionAsync(client, token)];
        if (sample.Method == HttpMethod.Post)
        {
            var (field, cookie) = await AntiforgeryAsync(client, cookies);
            cookies.Add(cookie);
            request.Content = WithField(request.Content!, "__RequestVerificationToken", field);
        }
        if (cookies.Count > 0) request.Headers.Add("Cookie", string.Join("; ", cookies));
        return await client.SendAsync(request);
    }

    /// <summary>
    /// A fresh sign-in cookie of a token, from the sign-in page: a session is not kept from one sample to the next, since
    /// one of the samples is the sign-out.
    /// </summary>
    private static Task<string> SessionAsync(HttpClient client, string token) => client.SignInAsync(token);

    /// <summary>The antiforgery field and cookie the sign-in page hands this caller.</summary>
    public static async Task<(string Field, string Cookie)> AntiforgeryAsync(HttpClient client, IReadOnlyList<string> cookies)
    {
        // The sign-in page for a caller not signed in; a signed-in caller finds the layout's sign-out form on any page.
        var get = new HttpRequestMessage(HttpMethod.Get, cookies.Count > 0 ? "/test-plans" : "/signin");
        if (cookies.Count > 0) get.Headers.Add("Cookie", string.Join("; ", cookies));
        using var page = await client.SendAsync(get);
        var html = await page.Content.ReadAsStringAsync();
        var field = AntiforgeryField().Match(html).Groups[1].Value;
        var cookie = page.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("interop_antiforgery=", StringComparison.Ordinal)).Split(';')[0];
        return (WebUtility.HtmlDecode(field), cookie);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryField();

    private static HttpContent WithField(HttpContent content, string name, string value)
    {
        if (content is MultipartFormDataContent multipart)
        {
            multipart.Add(new StringContent(value), name);
            return multipart;
        }
        var fields = content.ReadAsStringAsync().GetAwaiter().GetResult();
        return new StringContent($"{fields}{(fields.Length > 0 ? "&" : "")}{name}={Uri.EscapeDataString(value)}", Encoding.UTF8,
            "application/x-www-form-urlencoded");
    }

    /// <summary>Everything a write could change, in one string.</summary>
    private string Fingerprint()
    {
        using var db = app.OpenDatabase();
        return db.QuerySingle<string>($"""
            SELECT (SELECT count(*) FROM organizations) || '/' || (SELECT count(*) FROM products) || '/' ||
                   (SELECT count(*) FROM tokens WHERE revoked_at IS NULL) || '/' || (SELECT count(*) FROM test_plans) || '/' ||
                   (SELECT count(*) FROM events) || '/' || (SELECT count(*) FROM participants) || '/' ||
                   (SELECT count(*) FROM {ResultStore.AllRevisions} AS revisions) || '/' || (SELECT count(*) FROM audit_log) || '/' ||
                   coalesce((SELECT string_agg(key || status || published, ',' ORDER BY key) FROM events), '') || '/' ||
                   coalesce((SELECT string_agg(id || status || verdict, ',' ORDER BY id) FROM results), '')
            """);
    }
}
