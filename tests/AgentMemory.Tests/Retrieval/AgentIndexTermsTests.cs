using AgentMemory.Retrieval;
using NUnit.Framework;

namespace AgentMemory.Tests.Retrieval;

/// <summary>What the index keeps of a memory's words: one string per distinct term, shared by every memory holding it.</summary>
public sealed class AgentIndexTermsTests
{
    [Test]
    public void MemoriesHoldingTheSameUncachedTermShareOneString()
    {
        var index = new AgentIndex("agent", "model");
        var slots = new List<int>();
        using (index.EnterWrite())
        {
            foreach (var content in new[] { "ticket 4711 reopened", "ticket 4711 closed" })
            {
                // The tokenizer does not cache words with digits: each memory's terms carry their own "4711".
                var terms = TermCounts.ForMemory(content, []);
                slots.Add(index.Add(Entry(content), ContentIdentity.Hash(content), terms));
            }
        }

        using (index.EnterRead())
        {
            var first = index.TermsAt(slots[0]).Single(t => t == "4711");
            var second = index.TermsAt(slots[1]).Single(t => t == "4711");
            Assert.That(second, Is.SameAs(first));
        }
    }

    private static MemoryEntry Entry(string content)
    {
        var now = DateTimeOffset.UnixEpoch;
        return new MemoryEntry
        {
            Id = Guid.NewGuid(),
            AgentId = "agent",
            Type = MemoryType.Episodic,
            Content = content,
            CreatedAt = now,
            LastAccessedAt = now,
            UpdatedAt = now,
        };
    }
}
