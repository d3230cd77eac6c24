using System.Globalization;

namespace InteropTracker.Storage;

/// <summary>Timestamps as the database stores them: ISO-8601 UTC text that sorts as it reads.</summary>
public static class Clock
{
    public static string Now() => Format(DateTime.UtcNow);

    public static string Format(DateTime utc) =>
        utc.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
}
