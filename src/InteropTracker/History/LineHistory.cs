using Dapper;
using InteropTracker.Core;
using InteropTracker.Engine;
using InteropTracker.Events;
using InteropTracker.Storage;

namespace InteropTracker.History;

/// <summary>One event a product line took part in: its products there and its current verdicts per technology.</summary>
/// <param name="Technologies">Per technology of the event, the verdicts of every cell a product of the line is in.</param>
public sealed record LineEvent(EventPlanning Planning, IReadOnlyList<Participant> Products,
    IReadOnlyDictionary<string, Tally> Technologies, Tally Total);

/// <summary>The line's results with one peer product in one event, both directions.</summary>
public sealed record PeerMeeting(Participant Product, Participant Peer, Tally Tally);

/// <summary>A peer line the line met, and what they gave in each of the line's events (null: they did not meet there).</summary>
public sealed record LinePeer(string Line, string OrganizationName, IReadOnlyList<PeerMeeting?> ByEvent);

/// <summary>A product line across the events the caller can see, oldest first.</summary>
public sealed record LineRecord(string Line, IReadOnlyList<LineEvent> Events, IReadOnlyList<string> Technologies,
    IReadOnlyList<LinePeer> Peers);

/// <summary>
/// A product line's record across events, read from the tallies the matrix reads: per event and technology the verdicts
/// of every cell a product of the line takes part in, and per peer line the verdicts they gave together.
/// </summary>
public static class LineHistory
{
    public static async Task<Outcome<LineRecord>> ReadAsync(Database database, PlanningCache plannings, IResultEngine engine,
        Caller caller, string line, CancellationToken ct = default)
    {
        if (Permissions.Refusal(Permission.ReadHistory, caller) is { } why) return Refusal.Forbidden(why);

        await using var connection = await database.OpenAsync(ct);
        var keys = await connection.QueryAsync<string>("""
            SELECT e.key FROM events e
            WHERE e.id IN (SELECT pa.event_id FROM participants pa JOIN products p ON p.id = pa.product_id WHERE p.line = @line)
            ORDER BY e.start_date, e.key
            """, new { line });

        var events = new List<LineEvent>();
        var peers = new Dictionary<string, (string Organization, Dictionary<int, PeerMeeting> ByEvent)>(StringComparer.Ordinal);
        foreach (var key in keys)
        {
            // An engineer's history holds only the events its organization takes part in.
            if ((await EventGate.OpenAsync(connection, plannings, key, caller, EventNeed.Read)).Value is not { } planning) continue;
            var lines = await EventDiff.LinesAsync(connection, planning);
            var mine = planning.Participants.Where(p => lines.GetValueOrDefault(p.Id) == line).ToList();
            var ids = mine.Select(p => p.Id).ToHashSet();

            var technologies = new Dictionary<string, Tally>(StringComparer.OrdinalIgnoreCase);
            var meetings = new Dictionary<long, (Participant Product, Tally Tally)>();
            foreach (var technology in planning.Plans.GroupBy(p => p.Technology, StringComparer.OrdinalIgnoreCase))
            {
                var tally = default(Tally);
                foreach (var count in await engine.Tallies().PairsAsync(planning.Event.Id, technology.Select(p => p.Id).ToList()))
                {
                    var (ours, theirs) = (ids.Contains(count.InitiatorId), ids.Contains(count.ResponderId));
                    if (!ours && !theirs) continue;
                    tally = tally.With(count.Verdict, count.Count);
                    if (ours == theirs) continue;
                    var (product, peer) = ours ? (count.InitiatorId, count.ResponderId) : (count.ResponderId, count.InitiatorId);
                    var met = meetings.GetValueOrDefault(peer, (planning.Participant(product), default));
                    meetings[peer] = (met.Product, met.Tally.With(count.Verdict, count.Count));
                }
                technologies[technology.First().Technology] = Logged(tally);
            }

            var index = events.Count;
            foreach (var (peerId, (product, tally)) in meetings)
            {
                var peer = planning.Participant(peerId);
                var peerLine = lines.GetValueOrDefault(peerId, peer.Key);
                if (!peers.TryGetValue(peerLine, out var entry)) peers[peerLine] = entry = (peer.OrganizationName, []);
                var before = entry.ByEvent.GetValueOrDefault(index);
                entry.ByEvent[index] = new PeerMeeting(before?.Product ?? product, before?.Peer ?? peer,
                    Logged((before?.Tally ?? default) + tally));
            }
            events.Add(new LineEvent(planning, mine, technologies,
                Logged(technologies.Values.Aggregate(default(Tally), (a, b) => a + b))));
        }
        if (events.Count == 0) return Refusal.NotFound($"No event that you can see has a product of line '{line}'.");

        return new LineRecord(line, events,
            events.SelectMany(e => e.Technologies.Keys).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase).ToList(),
            peers.OrderBy(p => p.Key, StringComparer.Ordinal)
                .Select(p => new LinePeer(p.Key, p.Value.Organization,
                    Enumerable.Range(0, events.Count).Select(i => p.Value.ByEvent.GetValueOrDefault(i)).ToList()))
                .ToList());
    }

    /// <summary>The tallies count logged verdicts only: what was planned is not part of a line's record.</summary>
    private static Tally Logged(Tally tally) => tally with { Planned = tally.Logged };
}
