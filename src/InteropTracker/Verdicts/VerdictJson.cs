using System.Text.Json;
using System.Text.Json.Serialization;

namespace InteropTracker.Verdicts;

/// <summary>
/// The JSON contract of a logged result, generated at build time: read and written once per POST …/results, which
/// dozens of engineers send at once at the start of a test day. Same names and shapes as the app's JSON options (web
/// defaults: camelCase); the app puts it first in its resolver chain (Program.cs).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ResultInput))]
[JsonSerializable(typeof(ResultInfo))]
internal sealed partial class VerdictJson : JsonSerializerContext;
