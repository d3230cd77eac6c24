using System.Runtime.CompilerServices;
using InteropTracker.Core;
using InteropTracker.Engine;

namespace InteropTracker.History;

/// <summary>
/// The cell keys two events share. A key numbers (matched case, initiator line, responder line), so that the same cell
/// has the same key in either event, and keys sort by plan, case, initiator line, responder line. A non-directional
/// case's cell is stored with the smaller product key first, which may not be the smaller line: its key puts the
/// smaller line first.
/// </summary>
internal sealed class CellSpace
{
    private readonly bool[] _keepCase;
    private readonly bool[] _lineMatch;
    private readonly bool[] _organizationMatch;
    private readonly Dictionary<string, int> _lineIndex;

    public CellSpace(IReadOnlyList<MatchedCase> cases, EventPlanning from, IReadOnlyDictionary<long, string> fromLines,
        EventPlanning to, IReadOnlyDictionary<long, string> toLines)
    {
        Cases = cases;
        Lines = fromLines.Values.Union(toLines.Values).Order(StringComparer.Ordinal).ToArray();
        _lineIndex = Lines.Select((line, i) => (line, i)).ToDictionary(x => x.line, x => x.i, StringComparer.Ordinal);
        _keepCase = Enumerable.Repeat(true, cases.Count).ToArray();
        _lineMatch = Enumerable.Repeat(true, Lines.Length).ToArray();
        _organizationMatch = Enumerable.Repeat(true, Lines.Length).ToArray();
        From = new Side(this, from, fromLines, cases.Select(c => c.From).ToList());
        To = new Side(this, to, toLines, cases.Select(c => c.To).ToList());
    }

    public IReadOnlyList<MatchedCase> Cases { get; }

    /// <summary>The product lines of both events' participants, in ordinal order.</summary>
    public string[] Lines { get; }

    public Side From { get; }
    public Side To { get; }

    private long PerCase => (long)Lines.Length * Lines.Length;

    public int CaseOf(long key) => (int)(key / PerCase);

    /// <summary>Narrows the cells to the filter; a filter that matches nothing in either event is refused, naming it.</summary>
    public Refusal? Narrow(DiffFilter filter)
    {
        if (filter.Technology is { } technology)
        {
            for (var s = 0; s < Cases.Count; s++)
                _keepCase[s] = string.Equals(Cases[s].Technology, technology, StringComparison.OrdinalIgnoreCase);
            if (!_keepCase.Contains(true))
                return Refusal.NotFound($"Neither event has a test case of technology '{technology}'; theirs are " +
                                        $"{Listed(Cases.Select(c => c.Technology).Distinct(StringComparer.OrdinalIgnoreCase))}.");
        }
        if (filter.Line is { } line)
        {
            if (!_lineIndex.TryGetValue(line, out var index))
                return Refusal.NotFound($"No product of line '{line}' takes part in either event.");
            Array.Fill(_lineMatch, false);
            _lineMatch[index] = true;
        }
        if (filter.Organization is { } organization)
        {
            var lines = From.LinesOf(organization).Concat(To.LinesOf(organization)).ToHashSet();
            if (lines.Count == 0)
                return Refusal.NotFound($"No product of organization '{organization}' takes part in either event.");
            for (var i = 0; i < Lines.Length; i++) _organizationMatch[i] = lines.Contains(i);
        }
        return null;
    }

    private static string Listed(IEnumerable<string> words) => words.Any() ? string.Join(", ", words) : "none (no plan pinned)";

    private bool Keeps(int initiator, int responder) =>
        (_lineMatch[initiator] || _lineMatch[responder]) && (_organizationMatch[initiator] || _organizationMatch[responder]);

    public DiffEntry Entry(ListedCell cell, KeyedCells from, KeyedCells to)
    {
        var key = cell.From >= 0 ? from.Keys[cell.From] : to.Keys[cell.To];
        var lines = Lines.Length;
        return new DiffEntry(cell.Change, Cases[CaseOf(key)], Lines[(int)(key / lines % lines)], Lines[(int)(key % lines)],
            cell.From >= 0 ? From.Result(from.Items[cell.From]) : null,
            cell.To >= 0 ? To.Result(to.Items[cell.To]) : null);
    }

    /// <summary>One event's side of the key space: its case ids and product ids mapped to matched cases and lines.</summary>
    internal sealed class Side
    {
        private readonly CellSpace _space;
        private readonly Dictionary<long, int> _slotOfCase = [];
        private readonly bool[] _directional;
        private readonly int[] _lineOf;
        private readonly int[] _rankOf;

        /// <summary>The participants in registration (id) order: a result's rank is the pair's place in it.</summary>
        private readonly Participant[] _byRank;

        public Side(CellSpace space, EventPlanning planning, IReadOnlyDictionary<long, string> lines, IReadOnlyList<CaseDetails?> cases)
        {
            _space = space;
            Planning = planning;
            _directional = new bool[cases.Count];
            for (var s = 0; s < cases.Count; s++)
                if (cases[s] is { } c)
                {
                    _slotOfCase[c.Case.Id] = s;
                    _directional[s] = c.Case.Directional;
                }
            _byRank = planning.Participants.OrderBy(p => p.Id).ToArray();
            var size = _byRank.Length == 0 ? 0 : (int)_byRank[^1].Id + 1;
            _lineOf = new int[size];
            _rankOf = new int[size];
            Array.Fill(_lineOf, -1);
            for (var k = 0; k < _byRank.Length; k++)
            {
                var id = _byRank[k].Id;
                _lineOf[id] = lines.TryGetValue(id, out var line) ? space._lineIndex[line] : -1;
                _rankOf[id] = k;
            }
        }

        public EventPlanning Planning { get; }

        /// <summary>The matched case of one of this event's case ids; -1 when it is filtered out.</summary>
        public int SlotOf(long caseId) => _slotOfCase.TryGetValue(caseId, out var slot) && _space._keepCase[slot] ? slot : -1;

        /// <summary>The key and item of one result; null when the filter leaves it out.</summary>
        public (long Key, long Item)? Cell(int slot, long initiatorId, long responderId, Verdict verdict)
        {
            if (initiatorId >= _lineOf.Length || responderId >= _lineOf.Length) return null;
            int i = _lineOf[initiatorId], r = _lineOf[responderId];
            if (i < 0 || r < 0 || !_space.Keeps(i, r)) return null;
            int a = _rankOf[initiatorId], b = _rankOf[responderId];
            if (!_directional[slot] && i > r) (i, r, a, b) = (r, i, b, a);
            var lines = _space.Lines.Length;
            return (((long)slot * lines + i) * lines + r, KeyedCells.Item(verdict, (long)a * _byRank.Length + b));
        }

        /// <summary>The event's current results as keyed cells.</summary>
        public async Task<KeyedCells> Read(IResultEngine engine)
        {
            // Sized once from the tallies of the cases the filter keeps: grown on the way, the arrays of an event of a
            // million results would leave a trail of large copies behind, each freed only by a full collection.
            var expected = (await engine.Tallies().CasesAsync(Planning.Event.Id))
                .Where(c => SlotOf(c.CaseId) >= 0).Sum(c => c.Pass + c.Fail + c.Na + c.Blocked);
            var collector = new Collector(this, (int)Math.Clamp(expected, 1, Array.MaxLength));
            engine.ReadVerdicts(Planning.Event.Id, collector.Add);
            return KeyedCells.Sort(collector.Keys, collector.Items, collector.Count);
        }

        /// <summary>Gathers the keys and items of the results that the filter keeps.</summary>
        private sealed class Collector(Side side, int capacity)
        {
            private long _lastCase = -1;
            private int _slot = -1;

            public long[] Keys = new long[capacity];
            public long[] Items = new long[capacity];
            public int Count;

            // Called once per result of the event: compiled optimised straight away.
            [MethodImpl(MethodImplOptions.AggressiveOptimization)]
            public void Add(long caseId, long initiatorId, long responderId, Verdict verdict)
            {
                if (caseId != _lastCase) // the results come case by case
                {
                    _lastCase = caseId;
                    _slot = side.SlotOf(caseId);
                }
                if (_slot < 0 || side.Cell(_slot, initiatorId, responderId, verdict) is not { } cell) return;
                if (Count == Keys.Length)
                {
                    Array.Resize(ref Keys, Keys.Length * 2);
                    Array.Resize(ref Items, Keys.Length);
                }
                Keys[Count] = cell.Key;
                Items[Count++] = cell.Item;
            }
        }

        public DiffSide Result(long item)
        {
            var rank = KeyedCells.RankOf(item);
            return new DiffSide(KeyedCells.VerdictOf(item), _byRank[rank / _byRank.Length], _byRank[rank % _byRank.Length]);
        }

        /// <summary>The lines of this event's products of an organization.</summary>
        public IEnumerable<int> LinesOf(string organization) =>
            _byRank.Where(p => p.OrganizationKey == organization && _lineOf[p.Id] >= 0).Select(p => _lineOf[p.Id]);
    }
}
