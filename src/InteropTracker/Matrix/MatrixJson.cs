using System.Text.Json;
using System.Text.Json.Serialization;

namespace InteropTracker.Matrix;

/// <summary>
/// The matrix's JSON contract, generated at build time: at 200 products a matrix is 30,000 cells and 5 MB of JSON, and
/// the generated writer takes a good part off the time of writing it. Same names and shapes as the app's JSON options
/// (web defaults: camelCase).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(MatrixApi.MatrixDto))]
internal sealed partial class MatrixJson : JsonSerializerContext;
