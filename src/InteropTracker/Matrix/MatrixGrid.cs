using System.Runtime.CompilerServices;
using System.Text;
using InteropTracker.Core;

namespace InteropTracker.Matrix;

/// <summary>
/// A matrix as the event page draws it: compact JSON (product labels once, then five numbers per planned cell, one
/// zero per empty one) instead of markup per cell, so that the page grows by a few characters per cell; and, for the page's live refresh, only the cells that changed since the version the page holds.
/// </summary>
public static class MatrixGrid
{
    /// <summary>A product as a header shows it: key (links), label (name and version, or the anonymised label), organization.</summary>
    public sealed record Label(string Key, string Name, string Organization);

    /// <summary>
    /// The page's JSON. <c>cells</c> holds, row by row, for each cell either 0 (nothing planned) or planned, pass, fail,
    /// n/a, blocked. <c>changes</c>, when given instead, holds flat (index, planned, pass, fail, n/a, blocked) for each cell
    /// that changed since the version the page holds. Totals are left to the page, which sums what it holds.
    /// </summary>
    /// <param name="cells">The matrix as <see cref="Flatten"/> gives it.</param>
    /// <param name="previous">The cells as the page holds them (of the version it sent); null to send the whole matrix.</param>
    public static string Json(string technology, MatrixView view, string stamp, long version, IReadOnlyList<Label> labels,
        long[] cells, bool anonymised, long[]? previous = null)
    {
        var json = new StringBuilder(64 + labels.Count * 48 + cells.Length * 3);
        json.Append("{\"technology\":").Append(Quote(technology))
            .Append(",\"view\":\"").Append(view == MatrixView.Pair ? "pair" : "ordered").Append('"')
            .Append(",\"stamp\":").Append(Quote(stamp))
            .Append(",\"version\":").Append(version)
            .Append(",\"anonymised\":").Append(anonymised ? "true" : "false");
        if (previous is not null && previous.Length == cells.Length)
        {
            json.Append(",\"changes\":[");
            var first = true;
            for (var k = 0; k < cells.Length; k += 5)
            {
                if (cells.AsSpan(k, 5).SequenceEqual(previous.AsSpan(k, 5))) continue;
                if (!first) json.Append(',');
                first = false;
                json.Append(k / 5);
                for (var f = 0; f < 5; f++) json.Append(',').Append(cells[k + f]);
            }
            return json.Append("]}").ToString();
        }
        json.Append(",\"products\":[");
        for (var i = 0; i < labels.Count; i++)
        {
            if (i > 0) json.Append(',');
            json.Append('[').Append(Quote(labels[i].Key)).Append(',').Append(Quote(labels[i].Name)).Append(',')
                .Append(Quote(labels[i].Organization)).Append(']');
        }
        json.Append("],\"cells\":[");
        for (var k = 0; k < cells.Length; k += 5)
        {
            if (k > 0) json.Append(',');
            if (cells[k] == 0)
            {
                json.Append('0');
                continue;
            }
            json.Append(cells[k]);
            for (var f = 1; f < 5; f++) json.Append(',').Append(cells[k + f]);
        }
        return json.Append("]}").ToString();
    }

    /// <summary>Five numbers per cell, row by row: planned, pass, fail, n/a, blocked.</summary>
    public static long[] Flatten(MatrixTable table)
    {
        var n = table.Products.Count;
        var cells = new long[n * n * 5];
        for (var i = 0; i < n; i++)
            for (var j = 0; j < n; j++)
            {
                var t = table.Cells[i, j];
                var k = (i * n + j) * 5;
                if (i == j || t.Planned == 0) continue;
                cells[k] = t.Planned;
                cells[k + 1] = t.Pass;
                cells[k + 2] = t.Fail;
                cells[k + 3] = t.Na;
                cells[k + 4] = t.Blocked;
            }
        return cells;
    }

    private static string Quote(string text) => System.Text.Json.JsonSerializer.Serialize(text);
}

/// <summary>
/// The last few versions of one scope's matrix that pages were sent, so that a page asking "what changed since version
/// v" is sent the changed cells only. Kept per <see cref="NumbersSource"/> (a planning): a new planning (participants or
/// plans changed) starts afresh, and a page whose version is no longer kept is sent the whole matrix.
/// </summary>
public sealed class MatrixHistory
{
    private const int Kept = 6;
    private static readonly ConditionalWeakTable<NumbersSource, Dictionary<object, MatrixHistory>> Histories = new();

    private readonly LinkedList<(long Version, long[] Cells)> _versions = new();

    public static MatrixHistory Of(NumbersSource source, object scopeKey)
    {
        var all = Histories.GetValue(source, _ => new Dictionary<object, MatrixHistory>());
        lock (all)
        {
            if (!all.TryGetValue(scopeKey, out var history))
            {
                if (all.Count >= 32) all.Clear();
                all[scopeKey] = history = new MatrixHistory();
            }
            return history;
        }
    }

    public long[]? At(long version)
    {
        lock (_versions)
            foreach (var (v, cells) in _versions)
                if (v == version) return cells;
        return null;
    }

    public void Keep(long version, long[] cells)
    {
        lock (_versions)
        {
            if (_versions.First?.Value.Version == version) return;
            _versions.AddFirst((version, cells));
            while (_versions.Count > Kept) _versions.RemoveLast();
        }
    }
}
