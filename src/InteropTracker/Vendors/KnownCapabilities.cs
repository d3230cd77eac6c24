using InteropTracker.Core;
using System.Data.Common;

namespace InteropTracker.Vendors;

/// <summary>
/// The one check of a product's capability tags against the tags the loaded test plans use, for every door that sets
/// them (registering a product, the registration import, a product's correction): unknown tags come back as errors
/// keyed by position, each with the nearest known tags (<see cref="CapabilityTags"/>).
/// </summary>
public static class KnownCapabilities
{
    /// <param name="field">The key of the list in the errors: <c>capabilities</c> gives <c>capabilities[2]</c>.</param>
    public static async Task<Dictionary<string, string[]>> CheckAsync(DbConnection connection, IReadOnlyList<string> capabilities,
        DbTransaction? transaction = null, string field = "capabilities")
    {
        if (capabilities.Count == 0) return [];
        var known = await VendorStore.KnownTagsAsync(connection, transaction);
        return CapabilityTags.Check(capabilities, known.ToHashSet(StringComparer.Ordinal), field);
    }
}
