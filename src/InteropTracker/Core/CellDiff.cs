using System.Runtime.CompilerServices;

namespace InteropTracker.Core;

/// <summary>How one cell (plan, case, ordered pair of product lines) moved from one event to a later one.</summary>
public enum CellChange
{
    /// <summary>pass → fail.</summary>
    Regressed,
    /// <summary>fail → pass.</summary>
    Fixed,
    /// <summary>A result in the later event only.</summary>
    New,
    /// <summary>A result in the earlier event only.</summary>
    Dropped,
    /// <summary>The same verdict in both.</summary>
    Stayed,
    /// <summary>Any other change of verdict: to or from n/a or blocked.</summary>
    Other,
}

public static class CellChanges
{
    public static readonly IReadOnlyList<CellChange> All = Enum.GetValues<CellChange>();

    /// <summary>The change from one verdict to the next; null: no result in that event.</summary>
    public static CellChange Of(Verdict? from, Verdict? to) => (from, to) switch
    {
        (null, null) => throw new ArgumentException("A cell with no result in either event has not changed at all."),
        (null, _) => CellChange.New,
        (_, null) => CellChange.Dropped,
        (Verdict.Pass, Verdict.Fail) => CellChange.Regressed,
        (Verdict.Fail, Verdict.Pass) => CellChange.Fixed,
        var (a, b) when a == b => CellChange.Stayed,
        _ => CellChange.Other,
    };

    public static string Name(this CellChange change) => change switch
    {
        CellChange.Regressed => "regressed",
        CellChange.Fixed => "fixed",
        CellChange.New => "new",
        CellChange.Dropped => "dropped",
        CellChange.Stayed => "stayed",
        CellChange.Other => "other",
        _ => throw new ArgumentOutOfRangeException(nameof(change), change, null),
    };
}

/// <summary>
/// One event's current results as a diff reads them: for each result a cell key (the same key for the same cell in any
/// event) and an item (its verdict, and a rank saying which result wins when two share a key), in key order, each key
/// once.
/// </summary>
public sealed class KeyedCells
{
    private KeyedCells(long[] keys, long[] items, int count)
    {
        Keys = keys;
        Items = items;
        Count = count;
    }

    public long[] Keys { get; }
    public long[] Items { get; }
    public int Count { get; }

    public static long Item(Verdict verdict, long rank) => (rank << 8) | (long)verdict;

    public static Verdict VerdictOf(long item) => (Verdict)(item & 0xFF);

    public static long RankOf(long item) => item >> 8;

    /// <summary>
    /// Sorts the first <paramref name="count"/> keys with their items in place, and keeps one result per key: the one of
    /// the highest rank (a product line with two products in one event met the same peer twice).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // run once per event read, over up to millions of results
    public static KeyedCells Sort(long[] keys, long[] items, int count)
    {
        if (!Ascending(keys, count)) Array.Sort(keys, items, 0, count);
        var kept = 0;
        for (var k = 0; k < count; k++)
        {
            if (kept > 0 && keys[kept - 1] == keys[k])
            {
                if (items[k] > items[kept - 1]) items[kept - 1] = items[k];
                continue;
            }
            keys[kept] = keys[k];
            items[kept] = items[k];
            kept++;
        }
        return new KeyedCells(keys, items, kept);
    }

    private static bool Ascending(long[] keys, int count)
    {
        for (var k = 1; k < count; k++)
            if (keys[k] < keys[k - 1]) return false;
        return true;
    }
}

/// <summary>A cell the diff lists: where it is in each event's <see cref="KeyedCells"/> (-1: no result there).</summary>
public readonly record struct ListedCell(CellChange Change, int From, int To);

/// <summary>What a diff found: how many cells of each change, how many compared cells have a changed case, the first cells of each change.</summary>
public sealed record CellDiffCounts(IReadOnlyDictionary<CellChange, long> Counts, long ComparedAcrossChangedCases,
    IReadOnlyDictionary<CellChange, IReadOnlyList<ListedCell>> Listed);

/// <summary>
/// The diff of two events' cells in one pass over both, in key order (a merge, not a look-up per cell), counting every
/// change and listing the first <c>limit</c> cells of each.
/// </summary>
public static class CellDiff
{
    /// <param name="caseChanged">Whether the case of a cell key has other content in the later event's plan version.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // run once per diff, over up to millions of cells
    public static CellDiffCounts Merge(KeyedCells from, KeyedCells to, Func<long, bool> caseChanged, int limit)
    {
        var counts = new long[CellChanges.All.Count];
        var listed = CellChanges.All.Select(_ => new List<ListedCell>()).ToArray();
        long acrossChanged = 0;
        int f = 0, t = 0;
        var (fromKeys, toKeys) = (from.Keys, to.Keys);
        while (f < from.Count || t < to.Count)
        {
            CellChange change;
            int fromAt = -1, toAt = -1;
            if (t >= to.Count || (f < from.Count && fromKeys[f] < toKeys[t]))
            {
                change = CellChange.Dropped;
                fromAt = f++;
            }
            else if (f >= from.Count || toKeys[t] < fromKeys[f])
            {
                change = CellChange.New;
                toAt = t++;
            }
            else
            {
                change = CellChanges.Of(KeyedCells.VerdictOf(from.Items[f]), KeyedCells.VerdictOf(to.Items[t]));
                if (caseChanged(fromKeys[f])) acrossChanged++;
                fromAt = f++;
                toAt = t++;
            }
            counts[(int)change]++;
            if (listed[(int)change].Count < limit) listed[(int)change].Add(new ListedCell(change, fromAt, toAt));
        }
        return new CellDiffCounts(
            CellChanges.All.ToDictionary(c => c, c => counts[(int)c]),
            acrossChanged,
            CellChanges.All.ToDictionary(c => c, c => (IReadOnlyList<ListedCell>)listed[(int)c]));
    }
}
