namespace InteropTracker.Core;

/// <summary>
/// The numbers of DESIGN.md for any scope (event, technology, plan, section, case, pair):
/// untested = planned − pass − fail − na − blocked; executed = pass + fail; rate = pass / executed;
/// progress = (planned − untested) / planned.
/// </summary>
public readonly record struct Tally(long Planned, long Pass, long Fail, long Na, long Blocked)
{
    public long Untested => Planned - Pass - Fail - Na - Blocked;
    public long Executed => Pass + Fail;
    public long Logged => Pass + Fail + Na + Blocked;

    /// <summary>pass / executed; null when nothing was executed.</summary>
    public double? Rate => Executed == 0 ? null : (double)Pass / Executed;

    /// <summary>(planned − untested) / planned; null when nothing is planned.</summary>
    public double? Progress => Planned == 0 ? null : (double)Logged / Planned;

    public static Tally operator +(Tally a, Tally b) =>
        new(a.Planned + b.Planned, a.Pass + b.Pass, a.Fail + b.Fail, a.Na + b.Na, a.Blocked + b.Blocked);

    public Tally With(Verdict verdict, long count = 1) => verdict switch
    {
        Verdict.Pass => this with { Pass = Pass + count },
        Verdict.Fail => this with { Fail = Fail + count },
        Verdict.Na => this with { Na = Na + count },
        Verdict.Blocked => this with { Blocked = Blocked + count },
        _ => throw new ArgumentOutOfRangeException(nameof(verdict), verdict, null),
    };
}
