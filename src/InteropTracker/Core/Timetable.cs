namespace InteropTracker.Core;

/// <summary>
/// An event's timetable of test sessions as built, stored and answered: in each slot, each table hosts one pairing of
/// two products running their planned untested cells, mandatory first. The API, the calendar, the pages and the
/// report all read this one shape.
/// </summary>
public sealed record Timetable
{
    public required string Event { get; init; }
    public required DateTimeOffset BuiltAt { get; init; }
    public string? BuiltBy { get; init; }
    public required IReadOnlyList<string> Tables { get; init; }

    /// <summary>The most cells a session runs; null when each pairing runs all its cells in one session.</summary>
    public int? SessionCells { get; init; }

    /// <summary>By start; numbered from 1.</summary>
    public required IReadOnlyList<TimetableSlot> Slots { get; init; }

    /// <summary>By slot, then table.</summary>
    public required IReadOnlyList<TimetableSession> Sessions { get; init; }

    /// <summary>Pairings with cells left that found no slot (too few slots or tables, or the products are not there together).</summary>
    public required IReadOnlyList<UnscheduledPair> Unscheduled { get; init; }

    public required TimetableFigures Figures { get; init; }
}

public sealed record TimetableSlot(int Number, DateTimeOffset Start, DateTimeOffset End);

/// <summary>One session: two products (A before B by key) at a table in a slot, and the cells they run in that order.</summary>
public sealed record TimetableSession
{
    public required int Slot { get; init; }
    public required DateTimeOffset Start { get; init; }
    public required DateTimeOffset End { get; init; }
    public required string Table { get; init; }
    public required string A { get; init; }
    public required string B { get; init; }

    /// <summary>Which of the pairing's sessions this is (1-based), and how many it has in this timetable's build.</summary>
    public required int Part { get; init; }

    public required int Parts { get; init; }
    public required IReadOnlyList<SessionCell> Cells { get; init; }

    public bool Involves(string product) => A == product || B == product;

    public string Partner(string product) => A == product ? B : A;
}

public sealed record SessionCell(string Plan, string Case, string Title, string Initiator, string Responder, string Priority);

public sealed record UnscheduledPair(string A, string B, int Cells, int Mandatory);

/// <summary>
/// How good the new part of the timetable is: the slots it takes to hold every session (and every session with
/// mandatory cells) against the fewest any timetable could take (<see cref="Timetabling.LowerBound"/>).
/// </summary>
public sealed record TimetableFigures(int Sessions, int LowerBound, int SlotsUsed, int MandatorySessions, int MandatoryLowerBound,
    int SlotsForMandatory);
