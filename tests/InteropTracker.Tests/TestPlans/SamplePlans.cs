using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace InteropTracker.Tests.TestPlans;

/// <summary>Small test-plan documents for tests, and loading them through the API as a chair would.</summary>
public static class SamplePlans
{
    /// <summary>A two-section plan that uses every field, with text that needs quoting in CSV ("," and a quote) and non-ASCII.</summary>
    public static string Yaml(string plan = "sample-video", string version = "1.0", string title = "Sample video interoperability") => $$"""
        plan: {{plan}}
        title: {{title}}
        version: "{{version}}"
        technology: SIP
        source: SIP video profile best practice, section 4
        sections:
          - id: call-setup
            title: Call setup
            cases:
              - id: CS-001
                title: Audio and video call over UDP
                purpose: Both sides establish a two-way audio and H.264 video call.
                preconditions: [Both products registered to their own SIP registrar]
                steps:
                  - Initiator dials the responder's SIP URI
                  - Responder answers
                expected:
                  - Two-way audio within 2 s of answer
                  - Two-way video, "no freeze", at least 15 fps
                references: ["RFC 3261 §13", "RFC 6184"]
                priority: mandatory
                directional: true
                requires: [h264]
              - id: CS-002
                title: Call over TLS
                purpose: The call is signalled over TLS.
                steps: [Initiator dials with a sips URI]
                expected: [The call is established]
                priority: recommended
                requires: [sip.tls, h264]
                initiator: [sips-uri]
          - id: media
            title: Media
            cases:
              - id: MD-001
                title: DTMF per RFC 4733
                purpose: |
                  Digits reach the other side
                  as telephone-events.
                steps: [Initiator sends 1 2 3]
                expected: [Responder reports 1 2 3]
                references: ["RFC 4733 §2.3"]
                priority: optional
                directional: false
                requires: [dtmf.rfc4733]
                responder: [ivr]
        """;

    public static async Task<HttpResponseMessage> PostYaml(this HttpClient client, string yaml) =>
        await client.PostAsync("/api/test-plans", Content(yaml, "application/yaml"));

    public static StringContent Content(string text, string mediaType)
    {
        var content = new StringContent(text, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse(mediaType);
        return content;
    }

    public static MultipartFormDataContent File(byte[] bytes, string fileName)
    {
        var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent(bytes), "file", fileName);
        return form;
    }

    /// <summary>Loads a YAML plan and returns the stored summary; fails the test unless it was created.</summary>
    public static Task<JsonElement> LoadPlan(this HttpClient client, string yaml) =>
        client.PostYaml(yaml).ReadJson<JsonElement>(HttpStatusCode.Created);
}
