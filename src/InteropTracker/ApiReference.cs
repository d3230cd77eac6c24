using System.Text.Json.Nodes;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.EventResults;
using InteropTracker.Events;
using InteropTracker.TestPlans;
using InteropTracker.Vendors;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace InteropTracker;

/// <summary>
/// What the OpenAPI document (and Scalar, which reads it) says beyond what the routes declare: the bearer scheme, so that
/// the reference sends a token; the closed vocabularies (verdict, priority, kind, status, role) as enums; an example of
/// every request body; and every 4xx answer an operation can give, each a problem+json with a detail.
/// </summary>
public static class ApiReference
{
    public const string Scheme = "Bearer";

    public static IServiceCollection AddApiReference(this IServiceCollection services) => services.AddOpenApi(options =>
    {
        options.AddDocumentTransformer(BearerScheme);
        options.AddOperationTransformer(Operation);
        options.AddSchemaTransformer(Enums);
        options.AddDocumentTransformer(BodyExamples);
    });

    private static Task BearerScheme(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[Scheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "itk_…",
            Description = "A token made by an administrator (POST /api/tokens, or the Tokens page); it starts with itk_.",
        };
        return Task.CompletedTask;
    }

    /// <summary>Each answer's words: what it means for this API and what to do about it.</summary>
    private static readonly Dictionary<int, string> Meaning = new()
    {
        [400] = "The request is malformed (a field missing or of the wrong shape, a body that is not valid JSON); `errors` names each field.",
        [401] = "No token, or an unknown, expired or revoked one: send `Authorization: Bearer <token>`.",
        [403] = "The token's role may not do this, or an engineer's organization takes no part in it; the detail says who may.",
        [404] = "The event, plan, product, organization or result named in the path does not exist, or is not visible to the caller.",
        [409] = "It conflicts with what is stored: the key is taken, the event is closed, or the revision is no longer current; the detail names it.",
        [413] = "The body is larger than this route accepts; the detail gives the limit.",
        [415] = "The body's Content-Type is not one this route reads; the detail lists those it does.",
        [422] = "Well formed but against a rule (a case not planned for the pair, an unknown tag, a row of an import); `errors` locates each.",
        [429] = "Too many attempts or imports at once; wait for the seconds in Retry-After.",
    };

    /// <summary>The answers beyond the common ones that an operation can give, by its name.</summary>
    private static readonly Dictionary<string, int[]> Extra = new()
    {
        ["CreateToken"] = [422],
        ["RevokeToken"] = [409],
        ["LoadTestPlan"] = [409, 413, 422, 429],
        ["CreateOrganization"] = [409],
        ["CreateProduct"] = [409, 422],
        ["CreateEvent"] = [409, 422],
        ["AddParticipants"] = [409, 422],
        ["ChangeEventStatus"] = [409, 422],
        ["LogResult"] = [409, 422],
        ["ImportResults"] = [409, 413, 422, 429],
        ["ConfirmResult"] = [409, 422],
        ["DisputeResult"] = [409, 422],
        ["GetMatrix"] = [400],
        ["ListResults"] = [400],
        ["DiffTestPlanVersions"] = [400],
    };

    private static Task Operation(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var needsSignIn = metadata.OfType<PerformsAttribute>().Any(p => Permissions.NeedsSignIn(p.Permission));
        var codes = new SortedSet<int>();
        if (needsSignIn) codes.UnionWith([401, 403]);
        if (operation.OperationId is "DownloadReportWorkbook" or "DownloadReportPdf") codes.UnionWith([401, 403]);
        if (context.Description.RelativePath?.Contains('{') == true) codes.Add(404);
        if (operation.RequestBody is not null) codes.UnionWith([400, 415]);
        if (operation.OperationId is { } id && Extra.TryGetValue(id, out var extra)) codes.UnionWith(extra);

        if (needsSignIn)
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(Scheme, context.Document)] = [] }];
        operation.Responses ??= new OpenApiResponses();
        foreach (var code in codes)
        {
            var key = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (operation.Responses.TryGetValue(key, out var known) && known is OpenApiResponse response)
            {
                if (string.IsNullOrEmpty(response.Description) || response.Description is "Bad Request") response.Description = Meaning[code];
                continue;
            }
            operation.Responses[key] = new OpenApiResponse
            {
                Description = Meaning[code],
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/problem+json"] = new() { Schema = Problem },
                },
            };
        }
        return Task.CompletedTask;
    }

    /// <summary>
    /// Examples go in last, over the whole document: a route may set its own request body in a transformer of its own,
    /// which runs after the app's operation transformers. Each media type gets an object of its own, since a route may
    /// share one between several types.
    /// </summary>
    private static Task BodyExamples(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken ct)
    {
        foreach (var path in document.Paths.Values)
            foreach (var operation in path.Operations?.Values.AsEnumerable() ?? [])
            {
                if (operation.OperationId is not { } name || operation.RequestBody?.Content is not { } content
                    || !Examples.TryGetValue(name, out var examples))
                    continue;
                foreach (var mediaType in content.Keys.ToList())
                    if (examples.TryGetValue(mediaType, out var example) || examples.TryGetValue("*", out example))
                        content[mediaType] = new OpenApiMediaType
                        {
                            Schema = content[mediaType].Schema, Encoding = content[mediaType].Encoding, Example = example(),
                        };
            }
        return Task.CompletedTask;
    }

    /// <summary>RFC 9457's fields as this API fills them.</summary>
    private static readonly OpenApiSchema Problem = new()
    {
        Type = JsonSchemaType.Object,
        Properties = new Dictionary<string, IOpenApiSchema>
        {
            ["type"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["title"] = new OpenApiSchema { Type = JsonSchemaType.String },
            ["status"] = new OpenApiSchema { Type = JsonSchemaType.Integer },
            ["detail"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "What is wrong and what to do, in words a person can act on." },
            ["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object, Description = "By field or location (camelCase, as in the body; \"row 3\", \"Cases!F12\"), the messages.",
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
            },
        },
        Required = new HashSet<string> { "title", "status", "detail" },
    };

    private static Func<JsonNode> Json(string json) => () => JsonNode.Parse(json)!;
    private static Func<JsonNode> Text(string text) => () => JsonValue.Create(text);

    private static readonly Func<JsonNode> YamlPlan = Text("plan: sip-video-basic\ntitle: SIP video call interoperability\nversion: \"1.0\"\ntechnology: SIP\nsections:\n  - id: call-setup\n    title: Call setup\n    cases:\n      - id: SIP-CS-001\n        title: Audio and video call over UDP\n        steps: [Initiator dials responder, Responder answers]\n        expected: [Two-way audio and video]\n        priority: mandatory\n        requires: [h264]\n");

    /// <summary>An example body of every operation that takes one, by operation and media type ("*" for any).</summary>
    private static readonly Dictionary<string, Dictionary<string, Func<JsonNode>>> Examples = new()
    {
        ["CreateToken"] = new() { ["*"] = Json("""{ "role": "engineer", "organization": "acme", "name": "Acme at SIPit 2026", "expiresAt": "2026-12-31T23:59:59Z" }""") },
        ["LoadTestPlan"] = new()
        {
            ["application/yaml"] = YamlPlan,
            ["text/yaml"] = YamlPlan,
            ["application/x-yaml"] = YamlPlan,
            ["application/json"] = Json("""{ "plan": "sip-video-basic", "title": "SIP video call interoperability", "version": "1.0", "technology": "SIP", "sections": [ { "id": "call-setup", "title": "Call setup", "cases": [ { "id": "SIP-CS-001", "title": "Audio and video call over UDP", "priority": "mandatory", "requires": ["h264"] } ] } ] }"""),
            ["text/csv"] = Text("section,section_title,id,title,priority,requires\ncall-setup,Call setup,SIP-CS-001,Audio and video call over UDP,mandatory,h264\n"),
            ["multipart/form-data"] = Json("""{ "file": "sip-video-basic.yaml (a .yaml, .yml, .json, .xlsx or .csv file)" }"""),
            ["*"] = Text("(the bytes of an .xlsx workbook with the sheets Plan and Cases)"),
        },
        ["CreateOrganization"] = new() { ["*"] = Json("""{ "key": "acme", "name": "Acme Video" }""") },
        ["CreateProduct"] = new() { ["*"] = Json("""{ "key": "acme-room-70", "organization": "acme", "name": "Room 70", "version": "2.10", "kind": "endpoint", "technologies": ["SIP", "H.323"], "capabilities": ["h264", "bfcp"] }""") },
        ["CreateEvent"] = new() { ["*"] = Json("""{ "key": "sipit-2026", "name": "SIPit 2026", "location": "Berlin", "startDate": "2026-11-23", "endDate": "2026-11-27", "includeSameOrganization": false, "plans": [ { "plan": "sip-video-basic", "version": "1.0" } ] }""") },
        ["AddParticipants"] = new() { ["*"] = Json("""{ "products": ["acme-room-70", "globex-bridge"] }""") },
        ["ChangeEventStatus"] = new() { ["*"] = Json("""{ "status": "closed", "published": true, "snapshot": 2 }""") },
        ["ChangeOrganization"] = new() { ["*"] = Json("""{ "name": "Acme Video Systems" }""") },
        ["ChangeProduct"] = new() { ["*"] = Json("""{ "version": "2.11", "capabilities": ["h264", "bfcp", "srtp"] }""") },
        ["ChangeEvent"] = new() { ["*"] = Json("""{ "location": "Berlin, hall 2", "plans": [ { "plan": "sip-video-basic", "version": "1.1" } ] }""") },
        ["BuildSchedule"] = new() { ["*"] = Json("""{ "slots": [ { "start": "2026-11-23T09:00:00Z", "end": "2026-11-23T09:45:00Z" }, { "start": "2026-11-23T10:00:00Z", "end": "2026-11-23T10:45:00Z" } ], "tables": ["Table 1", "Table 2"], "availability": [ { "product": "globex-bridge", "from": "2026-11-23T10:00:00Z" } ], "sessionCells": 12 }""") },
        ["AttachEvidence"] = new() { ["*"] = Json("""{ "file": "call.pcapng (pcap, pcapng, log, txt, json, png or jpg)" }""") },
        ["ImportRegistrations"] = new()
        {
            ["text/csv"] = Text("organization,organization_name,product,product_name,version,kind,technologies,capabilities,event\nacme,Acme Video,acme-room-70,Room 70,2.10,endpoint,SIP;H.323,h264;bfcp,sipit-2026\n"),
            ["multipart/form-data"] = Json("""{ "file": "registrations.csv (a .csv or .xlsx file)" }"""),
            ["*"] = Text("(the bytes of an .xlsx workbook laid out as /api/registrations/template.xlsx)"),
        },
        ["LogResult"] = new() { ["*"] = Json("""{ "plan": "sip-video-basic", "case": "SIP-CS-001", "initiator": "acme-room-70", "responder": "globex-bridge", "verdict": "fail", "notes": "No video from the responder", "issue": "BUG-123" }""") },
        ["ImportResults"] = new()
        {
            ["application/json"] = Json("""[ { "plan": "sip-video-basic", "case": "SIP-CS-001", "initiator": "acme-room-70", "responder": "globex-bridge", "verdict": "pass" } ]"""),
            ["*"] = Text("plan,case,initiator,responder,verdict,notes,issue\nsip-video-basic,SIP-CS-001,acme-room-70,globex-bridge,pass,,\n"),
        },
        ["ConfirmResult"] = new() { ["*"] = Json("""{ "revision": 2 }""") },
        ["DisputeResult"] = new() { ["*"] = Json("""{ "reason": "We saw no video in either direction", "revision": 2 }""") },
    };

    /// <summary>The closed vocabularies, by property name and the type that holds it.</summary>
    private static Task Enums(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken ct)
    {
        if (context.JsonPropertyInfo is not { } property || schema.Type is not { } type || !type.HasFlag(JsonSchemaType.String)) return Task.CompletedTask;
        var holder = property.DeclaringType;
        IReadOnlyList<string>? values = property.Name switch
        {
            "verdict" => ["pass", "fail", "na", "blocked"],
            "priority" => Priorities.All,
            "kind" => VendorStore.Kinds,
            "role" => Roles.All,
            "status" when holder == typeof(EventsApi.StatusChange) => [EventStatus.Open, EventStatus.Closed],
            "status" when holder == typeof(ResultInfo) => ResultStore.Statuses,
            "status" when holder.Name.Contains("Event", StringComparison.Ordinal) => [EventStatus.Draft, EventStatus.Open, EventStatus.Closed],
            _ => null,
        };
        if (values is not null) schema.Enum = values.Select(v => (JsonNode)JsonValue.Create(v)).ToList();
        return Task.CompletedTask;
    }
}
