using System.Runtime.InteropServices;

namespace InteropTracker.Engine.Sqlite;

/// <summary>
/// The C heap that SQLite's page caches live in. An import gives its connection a large page cache and frees it at the
/// end; glibc keeps what was freed in the arena of the thread that freed it (several arenas per core, a pool
/// thread each), so import after import, each on another thread, the server kept free C heap
/// resident that no later import reused. <see cref="GiveBack"/> hands every whole free page of every arena back.
/// </summary>
internal static class NativeHeap
{
    private static bool _unavailable = !OperatingSystem.IsLinux();

    /// <summary>Returns the C heap's free pages to the system, where the C library can (glibc's malloc_trim).</summary>
    public static void GiveBack()
    {
        if (_unavailable) return;
        try
        {
            MallocTrim(0);
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            _unavailable = true; // another C library (musl): it returns freed memory its own way
        }
    }

    [DllImport("libc", EntryPoint = "malloc_trim")]
    private static extern int MallocTrim(nuint pad);
}
