using InteropTracker.Core;

namespace InteropTracker.Tests.Schedule;

/// <summary>The timetabling rules on random instances: what every timetable must respect, and how close it gets to the bound.</summary>
public class TimetablingTests
{
    /// <summary>A random demand: some pairs of products with a few sessions each, some mandatory; maybe availability.</summary>
    private static TimetableDemand Random(int seed, bool withAvailability)
    {
        var random = new Random(seed);
        var products = random.Next(2, 31);
        var density = random.NextDouble();
        var pairs = new List<PairDemand>();
        for (var a = 0; a < products; a++)
            for (var b = a + 1; b < products; b++)
            {
                if (random.NextDouble() > density) continue;
                var sessions = random.Next(1, 4);
                pairs.Add(new PairDemand(a, b, sessions, random.Next(0, sessions + 1)));
            }
        var slots = random.Next(1, 60);
        var tables = random.Next(1, products / 2 + 2);
        var from = Enumerable.Range(0, products).Select(_ => withAvailability && random.NextDouble() < 0.3 ? random.Next(slots) : 0).ToArray();
        var until = Enumerable.Range(0, products).Select(p => withAvailability && random.NextDouble() < 0.3 ? random.Next(from[p], slots + 1) : slots).ToArray();
        return new TimetableDemand(products, pairs, slots, tables, withAvailability ? (s, p) => s >= from[p] && s < until[p] : null);
    }

    private static void AssertHardRules(TimetableDemand demand, TimetablePlacement placement, string what)
    {
        Assert.Equal(demand.Slots, placement.Slots.Count);
        var placed = new int[demand.Pairs.Count];
        for (var s = 0; s < placement.Slots.Count; s++)
        {
            var slot = placement.Slots[s];
            Assert.True(slot.Count <= demand.Tables, $"{what}: slot {s} holds {slot.Count} sessions at {demand.Tables} tables");
            var products = slot.SelectMany(e => new[] { demand.Pairs[e].A, demand.Pairs[e].B }).ToList();
            Assert.True(products.Count == products.Distinct().Count(), $"{what}: a product is twice in slot {s}");
            Assert.All(products, p => Assert.True(demand.IsAvailable(s, p), $"{what}: product {p} is not there in slot {s}"));
            foreach (var e in slot) placed[e]++;
        }
        for (var e = 0; e < demand.Pairs.Count; e++)
        {
            Assert.True(placed[e] <= demand.Pairs[e].Sessions, $"{what}: pair {e} placed more often than it has sessions");
            Assert.Equal(demand.Pairs[e].Sessions - placed[e], placement.Left[e]);
        }
    }

    [Fact]
    public void Every_timetable_keeps_the_hard_rules_on_random_instances()
    {
        for (var seed = 0; seed < 300; seed++)
        {
            var demand = Random(seed, withAvailability: seed % 2 == 1);
            AssertHardRules(demand, Timetabling.Build(demand), $"seed {seed}");
            AssertHardRules(demand, Timetabling.RoundRobin(demand), $"seed {seed} (round robin)");
        }
    }

    [Fact]
    public void With_room_enough_every_session_is_placed_the_mandatory_ones_within_the_bound_and_fewer_slots_than_round_robin()
    {
        long mine = 0, roundRobin = 0;
        for (var seed = 0; seed < 200; seed++)
        {
            var sample = Random(seed, withAvailability: false);
            var demand = sample with { Slots = 4 * Timetabling.LowerBound(sample, false) + 4 };
            var placement = Timetabling.Build(demand);
            Assert.All(placement.Left, left => Assert.Equal(0, left));

            // Mandatory sessions are matched first in every slot: they finish within the bound's 15% (or one slot).
            var mandatoryBound = Timetabling.LowerBound(demand, mandatoryOnly: true);
            var mandatoryUsed = placement.SlotsUsed(demand, mandatoryOnly: true);
            Assert.InRange(mandatoryUsed, mandatoryBound, Math.Max(mandatoryBound + 1, (int)Math.Floor(1.15 * mandatoryBound)));
            // The rest fill around them, so the whole timetable may take a little longer.
            var bound = Timetabling.LowerBound(demand, mandatoryOnly: false);
            Assert.InRange(placement.SlotsUsed(demand, mandatoryOnly: false), bound, Math.Max(bound + 3, (int)Math.Floor(1.2 * bound)));

            mine += mandatoryUsed;
            roundRobin += Timetabling.RoundRobin(demand).SlotsUsed(demand, mandatoryOnly: true);
        }
        Assert.True(mine < roundRobin, $"{mine} slots for the mandatory sessions against round robin's {roundRobin}");
    }

    [Theory]
    [InlineData(6)]
    [InlineData(20)]
    [InlineData(60)]
    public void Everyone_meeting_everyone_once_takes_one_slot_fewer_than_there_are_products(int products)
    {
        var pairs = new List<PairDemand>();
        for (var a = 0; a < products; a++)
            for (var b = a + 1; b < products; b++)
                pairs.Add(new PairDemand(a, b, 1, 1));
        var demand = new TimetableDemand(products, pairs, 2 * products, products / 2);

        var placement = Timetabling.Build(demand);

        Assert.Equal(products - 1, Timetabling.LowerBound(demand, false));
        Assert.InRange(placement.SlotsUsed(demand, false), products - 1, products);
    }

    [Fact]
    public void Tables_bound_a_slot_and_the_bound_counts_them()
    {
        var pairs = Enumerable.Range(0, 10).Select(i => new PairDemand(2 * i, 2 * i + 1, 1, 1)).ToList();
        var demand = new TimetableDemand(20, pairs, 10, 3);

        var placement = Timetabling.Build(demand);

        Assert.Equal(4, Timetabling.LowerBound(demand, false));
        Assert.Equal(4, placement.SlotsUsed(demand, false));
        Assert.All(placement.Slots, s => Assert.True(s.Count <= 3));
    }

    [Fact]
    public void A_product_that_arrives_late_is_met_only_once_it_is_there_and_the_others_wait_for_it_last()
    {
        // Product 0 is there from slot 2 on; 1, 2 and 3 meet each other and 0.
        var pairs = new List<PairDemand>();
        for (var a = 0; a < 4; a++)
            for (var b = a + 1; b < 4; b++)
                pairs.Add(new PairDemand(a, b, 1, 1));
        var demand = new TimetableDemand(4, pairs, 5, 2, (s, p) => p != 0 || s >= 2);

        var placement = Timetabling.Build(demand);

        AssertHardRules(demand, placement, "late arrival");
        Assert.All(placement.Left, left => Assert.Equal(0, left));
        Assert.All(placement.Slots.Take(2), s => Assert.DoesNotContain(s, e => pairs[e].A == 0));
    }

    [Fact]
    public void Too_few_slots_leave_sessions_over_and_say_how_many()
    {
        var demand = new TimetableDemand(3, [new PairDemand(0, 1, 3, 1), new PairDemand(1, 2, 2, 2)], 2, 1);

        var placement = Timetabling.Build(demand);

        AssertHardRules(demand, placement, "too few slots");
        Assert.Equal(3, placement.Left.Sum());
        // Mandatory first: both pairs' mandatory sessions take the two slots.
        Assert.Equal(new[] { 0, 1 }, placement.Slots.SelectMany(s => s).Order());
    }
}
