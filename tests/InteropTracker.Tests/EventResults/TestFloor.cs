using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Dapper;
using InteropTracker.Access;
using InteropTracker.Core;
using InteropTracker.Vendors;
using InteropTracker.EventResults;

namespace InteropTracker.Tests.EventResults;

/// <summary>
/// A small open event whose planning a reader can check by eye: three vendors, four participating products, one SIP
/// plan and one WebRTC plan, and a client for every role. Each call to <see cref="OpenAsync"/> builds a fresh one
/// (new keys), so tests in a class sharing a database do not see each other's results.
/// </summary>
public sealed class TestFloor
{
    /// <summary>CALL-001: both sides need h264.</summary>
    public const string Call = "CALL-001";
    /// <summary>CALL-002: the initiator needs sips-uri.</summary>
    public const string SecureCall = "CALL-002";
    /// <summary>DTMF-001: not directional; both need dtmf.rfc4733.</summary>
    public const string Dtmf = "DTMF-001";
    /// <summary>BFCP-001: both sides need bfcp.</summary>
    public const string Sharing = "BFCP-001";
    /// <summary>RTC-001 of the WebRTC plan.</summary>
    public const string Rtc = "RTC-001";

    public required AppFixture App { get; init; }
    public required string Event { get; init; }
    public required string Sip { get; init; }
    public required string WebRtc { get; init; }

    /// <summary>Vendor A's products: A1 (h264, sips-uri, dtmf, bfcp) and A2 (h264 only).</summary>
    public required Product A1 { get; init; }
    public required Product A2 { get; init; }
    /// <summary>Vendor B's product: h264 and dtmf.</summary>
    public required Product B1 { get; init; }
    /// <summary>Vendor C's product: SIP and WebRTC, h264, sips-uri, dtmf, bfcp.</summary>
    public required Product C1 { get; init; }
    /// <summary>A registered product that is not a participant.</summary>
    public required Product Outsider { get; init; }

    public required HttpClient Chair { get; init; }
    public required HttpClient EngineerA { get; init; }
    public required HttpClient EngineerB { get; init; }
    public required HttpClient EngineerC { get; init; }
    /// <summary>An engineer of a vendor with no product in the event.</summary>
    public required HttpClient EngineerD { get; init; }
    public required HttpClient Member { get; init; }

    public string Results => $"/api/events/{Event}/results";

    public static async Task<TestFloor> OpenAsync(AppFixture app, Build build)
    {
        var chair = await app.ClientFor(Roles.Chair);
        var sip = await chair.LoadPlan(Build.Plan(
            new CaseSpec { Id = Call, Title = "Audio and video call", Requires = ["h264"] },
            new CaseSpec { Id = SecureCall, Title = "Call to a sips URI", Requires = ["h264"], Initiator = ["sips-uri"] },
            new CaseSpec { Id = Dtmf, Title = "DTMF both ways", Directional = false, Requires = ["dtmf.rfc4733"] },
            new CaseSpec { Id = Sharing, Title = "Content sharing", Priority = "recommended", Requires = ["bfcp"] }));
        var rtc = await chair.LoadPlan(Build.Plan(new CaseSpec { Id = Rtc, Title = "Browser call" }) with { Technology = "WebRTC" });

        var a = await chair.Register(build.Organization());
        var b = await chair.Register(build.Organization());
        var c = await chair.Register(build.Organization());
        var d = await chair.Register(build.Organization());
        var a1 = await chair.Register(build.Product(a.Key) with { Technologies = ["SIP"], Capabilities = ["h264", "sips-uri", "dtmf.rfc4733", "bfcp"] });
        var a2 = await chair.Register(build.Product(a.Key) with { Technologies = ["SIP"], Capabilities = ["h264"] });
        var b1 = await chair.Register(build.Product(b.Key) with { Technologies = ["SIP"], Capabilities = ["h264", "dtmf.rfc4733"] });
        var c1 = await chair.Register(build.Product(c.Key) with
        {
            Technologies = ["SIP", "WebRTC"], Capabilities = ["h264", "sips-uri", "dtmf.rfc4733", "bfcp"],
        });
        var outsider = await chair.Register(build.Product(d.Key) with { Technologies = ["SIP"], Capabilities = ["h264"] });

        var @event = await chair.Create(build.Event(sip.Plan, rtc.Plan));
        await chair.Enter(@event.Key, a1.Key, a2.Key, b1.Key, c1.Key);
        await chair.MoveTo(@event.Key, "open");

        return new TestFloor
        {
            App = app, Event = @event.Key, Sip = sip.Plan, WebRtc = rtc.Plan,
            A1 = a1, A2 = a2, B1 = b1, C1 = c1, Outsider = outsider,
            Chair = chair,
            EngineerA = await app.ClientFor(Roles.Engineer, a.Key),
            EngineerB = await app.ClientFor(Roles.Engineer, b.Key),
            EngineerC = await app.ClientFor(Roles.Engineer, c.Key),
            EngineerD = await app.ClientFor(Roles.Engineer, d.Key),
            Member = await app.ClientFor(Roles.Member),
        };
    }

    /// <summary>A result body for the SIP plan.</summary>
    public object Result(string @case, Product initiator, Product responder, string verdict = "pass", string? notes = null,
        string? issue = null, string? plan = null) =>
        new { plan = plan ?? Sip, @case, initiator = initiator.Key, responder = responder.Key, verdict, notes, issue };

    public async Task<ResultInfo> Log(HttpClient client, object result) =>
        await client.PostJson(Results, result).ReadJson<ResultInfo>(HttpStatusCode.Created);

    public Task<HttpResponseMessage> Import(HttpClient client, string csv) =>
        client.PostAsync($"{Results}/import", Content(csv, "text/csv"));

    public Task<HttpResponseMessage> ImportJson(HttpClient client, object rows) =>
        client.PostAsync($"{Results}/import", Content(JsonSerializer.Serialize(rows, JsonSerializerOptions.Web), "application/json"));

    public static StringContent Content(string text, string mediaType)
    {
        var content = new StringContent(text, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        return content;
    }

    /// <summary>How many results and revisions the event has in the database, to show a refused write changed nothing.</summary>
    public (long Results, long Revisions) Counts()
    {
        using var db = App.OpenDatabase();
        const string sql = $"""
            SELECT (SELECT count(*) FROM results WHERE event_id = e.id),
                   (SELECT count(*) FROM {ResultStore.AllRevisions} v JOIN results r ON r.id = v.result_id WHERE r.event_id = e.id)
            FROM events e WHERE e.key = @key
            """;
        return db.QuerySingle<(long, long)>(sql, new { key = Event });
    }
}
