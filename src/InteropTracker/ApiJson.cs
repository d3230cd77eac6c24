using System.Text.Json;
using System.Text.Json.Serialization;
using InteropTracker.Core;
using InteropTracker.Matrix;
using InteropTracker.EventResults;

namespace InteropTracker;

/// <summary>
/// The JSON contracts of the hottest answers, generated at build time: a logged result (read and written once per
/// POST …/results, which dozens of engineers send at once at the start of a test day) and the matrix (one entry per
/// ordered pair of products, so it grows with their square). Same names and shapes as the app's JSON options (web defaults: camelCase); the app puts it
/// first in its resolver chain (Program.cs), and the matrix writes its remembered JSON with it.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ResultInput))]
[JsonSerializable(typeof(ResultInfo))]
[JsonSerializable(typeof(MatrixApi.MatrixDto))]
internal sealed partial class ApiJson : JsonSerializerContext;
