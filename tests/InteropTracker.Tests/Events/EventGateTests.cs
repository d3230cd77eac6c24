using InteropTracker.Core;
using InteropTracker.Events;

namespace InteropTracker.Tests.Events;

/// <summary>The one way in to an event: each need, each caller, each status, and the refusal it gets.</summary>
public sealed class EventGateTests
{
    private static readonly Caller Admin = new(1, "admin", Roles.Admin, null);
    private static readonly Caller Chair = new(2, "chair", Roles.Chair, null);
    private static readonly Caller Member = new(3, "member", Roles.Member, null);
    private static readonly Caller Acme = new(4, "acme engineer", Roles.Engineer, 10);
    private static readonly Caller Globex = new(5, "globex engineer", Roles.Engineer, 20);

    private static EventPlanning Event(string status) => new(
        new EventRow { Id = 7, Key = "plugtest", Status = status, UpdatedAt = "2026-05-12T09:00:00Z" },
        [], [],
        [new Participant { Id = 100, Key = "acme-phone", OrganizationId = 10 }]);

    [Fact]
    public void An_event_that_does_not_exist_is_not_found()
    {
        var refusal = EventGate.Check(null, "plugtest", Admin, EventNeed.Read).Refusal;

        Assert.Equal(RefusalKind.NotFound, refusal?.Kind);
        Assert.Equal("There is no event 'plugtest' that you can see.", refusal?.Detail);
    }

    [Fact]
    public void An_engineer_whose_organization_takes_no_part_gets_the_same_answer_as_for_no_event()
    {
        var refusal = EventGate.Check(Event(EventStatus.Open), "plugtest", Globex, EventNeed.Read).Refusal;

        Assert.Equal(EventGate.NoSuchEvent("plugtest"), refusal);
    }

    [Theory]
    [InlineData(EventNeed.Read)]
    [InlineData(EventNeed.Write)]
    public void A_participating_engineer_reads_and_writes_an_open_event(EventNeed need)
    {
        var planning = Event(EventStatus.Open);

        var outcome = EventGate.Check(planning, "plugtest", Acme, need);

        Assert.True(outcome.IsDone);
        Assert.Same(planning, outcome.Value);
    }

    [Fact]
    public void Writing_to_a_draft_event_is_a_conflict_until_a_chair_opens_it()
    {
        var refusal = EventGate.Check(Event(EventStatus.Draft), "plugtest", Acme, EventNeed.Write).Refusal;

        Assert.Equal(RefusalKind.Conflict, refusal?.Kind);
        Assert.Equal("Event plugtest is not open yet: results are logged once a chair opens it.", refusal?.Detail);
    }

    [Fact]
    public void Writing_to_a_closed_event_is_a_conflict_but_reading_it_is_not()
    {
        var closed = Event(EventStatus.Closed);

        Assert.Equal(EventGate.Closed("plugtest"), EventGate.Check(closed, "plugtest", Admin, EventNeed.Write).Refusal);
        Assert.True(EventGate.Check(closed, "plugtest", Member, EventNeed.Read).IsDone);
    }

    [Fact]
    public void Roles_without_the_need_are_forbidden_before_the_event_is_looked_at()
    {
        var member = EventGate.Check(null, "plugtest", Member, EventNeed.Write).Refusal;
        var engineer = EventGate.Check(Event(EventStatus.Open), "plugtest", Acme, EventNeed.Chair).Refusal;

        Assert.Equal(RefusalKind.Forbidden, member?.Kind);
        Assert.Equal(RefusalKind.Forbidden, engineer?.Kind);
        Assert.StartsWith("Your role (engineer) may not set up events", engineer?.Detail);
        Assert.True(EventGate.Check(Event(EventStatus.Closed), "plugtest", Chair, EventNeed.Chair).IsDone);
    }
}
