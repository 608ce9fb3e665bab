using AgentMemory.Retrieval;
using NUnit.Framework;

namespace AgentMemory.Tests.Retrieval;

/// <summary>A term's postings: each slot keeps its own count through growth and removals (removal moves the last one in), from the one kept inline, through the first block's growth, to several blocks.</summary>
public sealed class PostingsTests
{
    [Test]
    public void SlotsAndCountsStayPairedThroughGrowthAndRemoval()
    {
        var postings = default(Postings);
        Assert.That(postings.Chunks, Is.Zero);

        for (var slot = 0; slot < 37; slot++)
        {
            postings.Add(slot, (slot * 3) + 1);
        }

        postings.Remove(5);
        postings.Remove(36);
        postings.Remove(0);
        postings.Remove(100);

        var pairs = Pairs(postings);
        Assert.That(postings.Count, Is.EqualTo(34));
        Assert.That(pairs.Keys, Is.EquivalentTo(Enumerable.Range(0, 37).Except([0, 5, 36])));
        Assert.That(pairs.All(p => p.Value == (p.Key * 3) + 1), Is.True, "every slot with its own count");
    }

    [Test]
    public void AllRemovedLeavesNothing()
    {
        var postings = default(Postings);
        postings.Add(7, 2);
        postings.Remove(7);
        Assert.That(postings.Count, Is.Zero);
        postings.Add(8, 3);
        Assert.That(Pairs(postings), Is.EqualTo(new Dictionary<int, int> { [8] = 3 }));
    }

    [Test]
    public void ASecondPostingJoinsTheOneKeptInline()
    {
        var postings = default(Postings);
        postings.Add(7, 2);
        Assert.That(Pairs(postings), Is.EqualTo(new Dictionary<int, int> { [7] = 2 }), "one posting, kept in the value");

        postings.Add(9, 4);
        Assert.That(Pairs(postings), Is.EqualTo(new Dictionary<int, int> { [7] = 2, [9] = 4 }));

        postings.Remove(7);
        Assert.That(Pairs(postings), Is.EqualTo(new Dictionary<int, int> { [9] = 4 }));
        postings.Remove(9);
        postings.Add(1, 1);
        postings.Add(2, 5);
        postings.Add(3, 6);
        Assert.That(Pairs(postings), Is.EqualTo(new Dictionary<int, int> { [1] = 1, [2] = 5, [3] = 6 }));
    }

    [Test]
    public void AFrequentTermSpreadsOverBlocksAndGivesBackTheOnesItEmpties()
    {
        var postings = default(Postings);
        var total = (Postings.BlockPairs * 3) + 7;
        for (var slot = 0; slot < total; slot++)
        {
            postings.Add(slot, slot % 11);
        }

        Assert.That(postings.Chunks, Is.EqualTo(4));
        Assert.That(Pairs(postings), Has.Count.EqualTo(total));

        // From the first block (the last posting moves in), from a middle block, and enough to empty the last block.
        var removed = new HashSet<int> { 0, 3, Postings.BlockPairs + 1 };
        removed.UnionWith(Enumerable.Range(total - 20, 20));
        foreach (var slot in removed)
        {
            postings.Remove(slot);
        }

        var pairs = Pairs(postings);
        Assert.That(postings.Chunks, Is.EqualTo(3), "the emptied last block is let go");
        Assert.That(pairs.Keys, Is.EquivalentTo(Enumerable.Range(0, total).Except(removed)));
        Assert.That(pairs.All(p => p.Value == p.Key % 11), Is.True, "every slot with its own count");

        postings.Add(total, 4);
        Assert.That(postings.Chunks, Is.EqualTo(3));
        Assert.That(Pairs(postings)[total], Is.EqualTo(4));
    }

    private static Dictionary<int, int> Pairs(Postings postings)
    {
        var pairs = new Dictionary<int, int>();
        for (var chunk = 0; chunk < postings.Chunks; chunk++)
        {
            var slots = postings.SlotsIn(chunk);
            var counts = postings.CountsIn(chunk);
            Assert.That(counts.Length, Is.EqualTo(slots.Length));
            for (var i = 0; i < slots.Length; i++)
            {
                pairs.Add(slots[i], counts[i]);
            }
        }

        Assert.That(pairs, Has.Count.EqualTo(postings.Count));
        return pairs;
    }
}
