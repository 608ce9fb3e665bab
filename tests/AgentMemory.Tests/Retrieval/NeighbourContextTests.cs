using AgentMemory.Agents;
using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Tests.Retrieval;

/// <summary>
/// A memory's neighbours in formation order lend it context: the answer remembered right after the memory that matches
/// the question is recalled with it, though it shares no word with the question.
/// </summary>
public sealed class NeighbourContextTests
{
    private static readonly string[] Before = ["the printer on floor two jams on thick paper", "lunch is served at noon in the canteen"];
    private const string Question = "Alice asked where the spare key of the storage room is kept";
    private const string Answer = "Bob said it hangs under the blue flowerpot by the back door";
    private static readonly string[] After = ["the quarterly report is due on Friday", "parking permits are renewed in January"];

    [Test]
    public async Task TheMemoryFormedNextToAStrongMatchIsLiftedByIt()
    {
        var withContext = await RecallAsync(neighbourWeight: 0.1);
        var without = await RecallAsync(neighbourWeight: 0);

        Assert.That(withContext.Select(r => r.Memory.Content).Take(2), Is.EqualTo(new[] { Question, Answer }), "the answer comes right after the match");
        var answerWith = withContext.Single(r => r.Memory.Content == Answer).Breakdown.Relevance;
        var answerWithout = without.Single(r => r.Memory.Content == Answer).Breakdown.Relevance;
        Assert.That(answerWith, Is.GreaterThan(answerWithout + 0.05), "lifted by its neighbour");
        Assert.That(
            withContext.Single(r => r.Memory.Content == Question).Breakdown.Relevance,
            Is.GreaterThanOrEqualTo(without.Single(r => r.Memory.Content == Question).Breakdown.Relevance),
            "context never lowers a memory");
        Assert.That(withContext.All(r => r.Breakdown.Relevance <= 1), Is.True);
    }

    [Test]
    public void FormationOrderFollowsTheIdsAndMendsAroundARemovedMemory()
    {
        var ids = Enumerable.Range(0, 4).Select(i => Guid.CreateVersion7(DateTimeOffset.UnixEpoch.AddMinutes(i))).ToArray();
        var entries = new MemoryEntry?[8];
        var order = new FormationOrder(8);

        // Slots 0, 1, 2 take ids 0, 3, 1 (id 1 arrives late, from another host), then slot 3 takes id 2.
        foreach (var (slot, id) in new[] { (0, 0), (1, 3), (2, 1), (3, 2) })
        {
            entries[slot] = MemoryEntries.Simple("agent", $"memory {id}") with { Id = ids[id] };
            order.Add(slot, ids[id], entries);
        }

        Assert.That(Walk(order, 0), Is.EqualTo(new[] { 0, 2, 3, 1 }), "by id: 0, 1, 2, 3");
        Assert.That(order.Previous(0), Is.EqualTo(-1));
        order.Remove(3);
        Assert.That(Walk(order, 0), Is.EqualTo(new[] { 0, 2, 1 }));
        Assert.That(order.Previous(1), Is.EqualTo(2));
        order.Remove(0);
        Assert.That(order.Previous(2), Is.EqualTo(-1), "the first memory now");
    }

    [Test]
    public void IdsMadeInOneMillisecondSortInTheOrderTheyWereMade()
    {
        var now = DateTimeOffset.UtcNow;
        var ids = Enumerable.Range(0, 1_000).Select(_ => MemoryIds.NewVersion7(now)).ToList();
        Assert.That(ids, Is.Ordered, "one call's memories sort as they were formed");
        Assert.That(ids.Distinct().Count(), Is.EqualTo(ids.Count));
        Assert.That(ids.All(id => id.Version == 7 && id.Variant is >= 8 and <= 0xB), Is.True, "still RFC 9562 version 7");
    }

    private static List<int> Walk(FormationOrder order, int first)
    {
        var slots = new List<int>();
        for (var slot = first; slot >= 0; slot = order.Next(slot))
        {
            slots.Add(slot);
        }

        return slots;
    }

    private static async Task<IReadOnlyList<RecalledMemory>> RecallAsync(double neighbourWeight)
    {
        await using var host = MemoryTestHost.Create(o => o.Recall.NeighbourWeight = neighbourWeight);
        await host.StartAsync();
        await host.Memory.RememberManyAsync("agent", [.. Before.Concat([Question, Answer]).Concat(After).Select(c => new MemoryDraft(c))]);
        await host.Memory.FlushAsync();
        return await host.Memory.RecallAsync("agent", new RecallRequest("where is the spare key kept")
        {
            Threshold = 0,
            Weights = new RecallWeights { Relevance = 1, Recency = 0, Importance = 0, Utility = 0 },
            UpdateAccessStatistics = false,
        });
    }
}
