namespace InteropTracker.Core;

/// <summary>
/// What a pair of products still has to run, in sessions: the first <see cref="MandatorySessions"/> of its
/// <see cref="Sessions"/> carry mandatory cells (a pair runs its cells mandatory first).
/// </summary>
public sealed record PairDemand(int A, int B, int Sessions, int MandatorySessions);

/// <summary>
/// A timetabling problem over products numbered 0..Products-1: the pairs' sessions to place into <see cref="Slots"/>
/// consecutive slots of at most <see cref="Tables"/> sessions each; <see cref="Available"/> (slot, product) says whether
/// a product is there for a slot (null: always).
/// </summary>
public sealed record TimetableDemand(int Products, IReadOnlyList<PairDemand> Pairs, int Slots, int Tables,
    Func<int, int, bool>? Available = null)
{
    public bool IsAvailable(int slot, int product) => Available?.Invoke(slot, product) ?? true;
}

/// <summary>
/// Which pairs meet in each slot: <see cref="Slots"/>[s] lists indexes into the demand's pairs (the k-th time a pair
/// appears it runs its k-th session); <see cref="Left"/>[p] is how many of pair p's sessions found no slot.
/// </summary>
public sealed record TimetablePlacement(IReadOnlyList<IReadOnlyList<int>> Slots, IReadOnlyList<int> Left)
{
    /// <summary>How many slots, from the first, hold every session of the kind (all, or the mandatory ones) that was placed.</summary>
    public int SlotsUsed(TimetableDemand demand, bool mandatoryOnly)
    {
        var placed = new int[demand.Pairs.Count];
        var last = 0;
        for (var s = 0; s < Slots.Count; s++)
            foreach (var p in Slots[s])
            {
                if (!mandatoryOnly || placed[p] < demand.Pairs[p].MandatorySessions) last = s + 1;
                placed[p]++;
            }
        return last;
    }
}

/// <summary>
/// Builds a timetable: each slot is a matching of the pair multigraph (a product in at most one session, at most one
/// session per table). An edge-colouring needs at least as many slots as the busiest product has sessions, and as the
/// sessions divided among the tables (<see cref="LowerBound"/>); it meets that bound when every slot's matching covers
/// every product that is still busiest. So each slot is built around urgency: a product's slack is how many slots it
/// is still there for minus how many sessions it still needs (mandatory first, then all), and the matching is grown
/// greedily from the least slack, then improved by alternating paths that bring an unmatched urgent product in, either
/// gaining a session or pushing out only a product with more slack. Mandatory sessions are matched first each slot,
/// the other sessions fill the products and tables left. Deterministic for a given demand.
/// </summary>
public static class Timetabling
{
    /// <summary>
    /// The fewest slots any timetable needs: the busiest product's sessions (and the slots it is not there for before
    /// it has had them all), and the sessions spread over the most a slot can hold.
    /// </summary>
    public static int LowerBound(TimetableDemand demand, bool mandatoryOnly)
    {
        var load = new long[demand.Products];
        long total = 0;
        foreach (var pair in demand.Pairs)
        {
            var n = mandatoryOnly ? pair.MandatorySessions : pair.Sessions;
            load[pair.A] += n;
            load[pair.B] += n;
            total += n;
        }
        // A product needs as many slots as it has sessions, counted from the first slot on and skipping those it is not
        // there for (past the last slot, as if it were there).
        long busiest = 0;
        for (var p = 0; p < load.Length; p++)
        {
            long needed = 0, there = 0;
            for (var s = 0; s < demand.Slots && there < load[p]; s++, needed++)
                if (demand.IsAvailable(s, p)) there++;
            busiest = Math.Max(busiest, needed + load[p] - there);
        }
        // A slot holds no more sessions than there are tables, nor than pairs of products that have sessions at all.
        var perSlot = Math.Min(demand.Tables, load.Count(l => l > 0) / 2);
        var spread = perSlot <= 0 ? 0 : (total + perSlot - 1) / perSlot;
        return (int)Math.Max(busiest, spread);
    }

    public static TimetablePlacement Build(TimetableDemand demand)
    {
        var n = demand.Products;
        var pairs = demand.Pairs;
        var placed = new int[pairs.Count];
        var needAll = new int[n];
        var needMandatory = new int[n];
        foreach (var pair in pairs)
        {
            needAll[pair.A] += pair.Sessions;
            needAll[pair.B] += pair.Sessions;
            needMandatory[pair.A] += pair.MandatorySessions;
            needMandatory[pair.B] += pair.MandatorySessions;
        }

        // slotsLeft[p]: the slots from the current one on in which p is there.
        var slotsLeft = new int[n];
        for (var s = 0; s < demand.Slots; s++)
            for (var p = 0; p < n; p++)
                if (demand.IsAvailable(s, p)) slotsLeft[p]++;

        var slots = new List<IReadOnlyList<int>>(demand.Slots);
        var present = new bool[n];
        var matching = new Matching(n);
        for (var s = 0; s < demand.Slots; s++)
        {
            for (var p = 0; p < n; p++) present[p] = demand.IsAvailable(s, p);
            var chosen = new List<int>();

            // Mandatory sessions first, ranked by mandatory slack, then by all.
            var mandatory = new List<int>();
            for (var e = 0; e < pairs.Count; e++)
                if (placed[e] < pairs[e].MandatorySessions && present[pairs[e].A] && present[pairs[e].B]) mandatory.Add(e);
            var urgency1 = new (int, int)[n];
            for (var p = 0; p < n; p++) urgency1[p] = (slotsLeft[p] - needMandatory[p], slotsLeft[p] - needAll[p]);
            chosen.AddRange(matching.Find(pairs, mandatory, urgency1, demand.Tables));

            var taken = new bool[n];
            foreach (var e in chosen) taken[pairs[e].A] = taken[pairs[e].B] = true;
            var room = demand.Tables - chosen.Count;
            if (room > 0)
            {
                var other = new List<int>();
                for (var e = 0; e < pairs.Count; e++)
                {
                    var pair = pairs[e];
                    if (placed[e] < pair.Sessions && placed[e] >= pair.MandatorySessions && present[pair.A] && present[pair.B]
                        && !taken[pair.A] && !taken[pair.B])
                        other.Add(e);
                }
                var urgency2 = new (int, int)[n];
                for (var p = 0; p < n; p++) urgency2[p] = (slotsLeft[p] - needAll[p], 0);
                chosen.AddRange(matching.Find(pairs, other, urgency2, room));
            }

            foreach (var e in chosen)
            {
                var pair = pairs[e];
                if (placed[e] < pair.MandatorySessions)
                {
                    needMandatory[pair.A]--;
                    needMandatory[pair.B]--;
                }
                needAll[pair.A]--;
                needAll[pair.B]--;
                placed[e]++;
            }
            for (var p = 0; p < n; p++) if (present[p]) slotsLeft[p]--;
            chosen.Sort();
            slots.Add(chosen);
        }
        return new TimetablePlacement(slots, pairs.Select((pair, e) => pair.Sessions - placed[e]).ToList());
    }

    /// <summary>
    /// The baseline a chair's spreadsheet amounts to: go round the list of pairs, slot after slot, each slot taking the
    /// next pairs (mandatory sessions first) whose two products are still free, where the previous slot stopped.
    /// </summary>
    public static TimetablePlacement RoundRobin(TimetableDemand demand)
    {
        var pairs = demand.Pairs;
        var placed = new int[pairs.Count];
        var slots = new List<IReadOnlyList<int>>(demand.Slots);
        var next = 0;
        for (var s = 0; s < demand.Slots; s++)
        {
            var busy = new bool[demand.Products];
            var chosen = new List<int>();
            foreach (var mandatoryPass in new[] { true, false })
                for (var k = 0; k < pairs.Count && chosen.Count < demand.Tables; k++)
                {
                    var e = (next + k) % pairs.Count;
                    var pair = pairs[e];
                    var due = mandatoryPass ? placed[e] < pair.MandatorySessions : placed[e] < pair.Sessions;
                    if (!due || busy[pair.A] || busy[pair.B] || !demand.IsAvailable(s, pair.A) || !demand.IsAvailable(s, pair.B)) continue;
                    busy[pair.A] = busy[pair.B] = true;
                    placed[e]++;
                    chosen.Add(e);
                    next = e + 1;
                }
            chosen.Sort();
            slots.Add(chosen);
        }
        return new TimetablePlacement(slots, pairs.Select((pair, e) => pair.Sessions - placed[e]).ToList());
    }

    /// <summary>One slot's matching over a set of candidate pairs, favouring the products with the least slack.</summary>
    private sealed class Matching(int products)
    {
        private readonly int[] _mate = new int[products];     // the product matched to, or -1
        private readonly int[] _edge = new int[products];     // the pair index of that match
        private readonly List<(int To, int Edge)>[] _adjacent = Enumerable.Range(0, products).Select(_ => new List<(int, int)>()).ToArray();
        private readonly int[] _parentInner = new int[products];
        private readonly int[] _parentOuter = new int[products];
        private readonly int[] _parentEdge = new int[products];
        private readonly int[] _mark = new int[products];     // 1: outer, 2: inner, in the current search
        private readonly int[] _touched = new int[products];

        public List<int> Find(IReadOnlyList<PairDemand> pairs, List<int> candidates, (int, int)[] slack, int limit)
        {
            var result = new List<int>();
            if (candidates.Count == 0 || limit <= 0) return result;
            Array.Fill(_mate, -1);
            foreach (var list in _adjacent) list.Clear();
            foreach (var e in candidates)
            {
                _adjacent[pairs[e].A].Add((pairs[e].B, e));
                _adjacent[pairs[e].B].Add((pairs[e].A, e));
            }
            var order = Enumerable.Range(0, products).Where(p => _adjacent[p].Count > 0)
                .OrderBy(p => slack[p]).ThenBy(p => p).ToList();
            var rank = new int[products];
            for (var i = 0; i < order.Count; i++) rank[order[i]] = i;
            foreach (var list in _adjacent) list.Sort((x, y) => rank[x.To].CompareTo(rank[y.To]));

            foreach (var v in order)
            {
                if (_mate[v] >= 0) continue;
                foreach (var (w, e) in _adjacent[v])
                    if (_mate[w] < 0)
                    {
                        Join(v, w, e);
                        break;
                    }
            }
            for (var pass = 0; pass < 3; pass++)
            {
                var improved = false;
                foreach (var v in order)
                    if (_mate[v] < 0 && Improve(v, slack)) improved = true;
                if (!improved) break;
            }

            var matched = new List<(int Edge, int Best, int Other)>();
            foreach (var v in order)
                if (_mate[v] >= 0 && v < _mate[v])
                {
                    var (a, b) = rank[v] < rank[_mate[v]] ? (rank[v], rank[_mate[v]]) : (rank[_mate[v]], rank[v]);
                    matched.Add((_edge[v], a, b));
                }
            // More sessions than tables: the tables go to the sessions of the least-slack products.
            result.AddRange(matched.OrderBy(m => m.Best).ThenBy(m => m.Other).Take(limit).Select(m => m.Edge));
            return result;
        }

        private void Join(int a, int b, int edge)
        {
            _mate[a] = b;
            _mate[b] = a;
            _edge[a] = _edge[b] = edge;
        }

        /// <summary>
        /// Searches alternating paths from the unmatched product <paramref name="root"/> (a search tree without blossom
        /// shrinking, so it may miss some paths, never takes a wrong one): an unmatched product at the far end gains a
        /// session for both; failing that, the matched product with the most slack, if it has more than the root,
        /// gives its place up.
        /// </summary>
        private bool Improve(int root, (int, int)[] slack)
        {
            var touched = 0;
            _mark[root] = 1;
            _touched[touched++] = root;
            var queue = new Queue<int>();
            queue.Enqueue(root);
            var drop = -1;
            var found = false;
            while (queue.Count > 0 && !found)
            {
                var x = queue.Dequeue();
                foreach (var (y, e) in _adjacent[x])
                {
                    if (_mark[y] != 0) continue;
                    if (_mate[y] < 0)
                    {
                        Flip(x, root);
                        Join(x, y, e);
                        found = true;
                        break;
                    }
                    var z = _mate[y];
                    if (_mark[z] != 0) continue;
                    _mark[y] = 2;
                    _mark[z] = 1;
                    _touched[touched++] = y;
                    _touched[touched++] = z;
                    _parentInner[z] = y;
                    _parentOuter[z] = x;
                    _parentEdge[z] = e;
                    if (slack[z].CompareTo(slack[root]) > 0 && (drop < 0 || slack[z].CompareTo(slack[drop]) > 0)) drop = z;
                    queue.Enqueue(z);
                }
            }
            if (!found && drop >= 0)
            {
                _mate[drop] = -1;
                Flip(drop, root);
                found = true;
            }
            for (var i = 0; i < touched; i++) _mark[_touched[i]] = 0;
            return found;
        }

        /// <summary>
        /// Frees <paramref name="w"/> of its tree mate by walking back to the root: each outer product's inner mate is
        /// matched to the outer product before it, so every product on the path stays matched and the root gains a mate.
        /// </summary>
        private void Flip(int w, int root)
        {
            while (w != root)
            {
                var inner = _parentInner[w];
                var outer = _parentOuter[w];
                var edge = _parentEdge[w];
                Join(outer, inner, edge);
                w = outer;
            }
        }
    }
}
