using AgentMemory.Agents;
using AgentMemory.Retrieval;
using NUnit.Framework;

namespace AgentMemory.Tests.Agents;

/// <summary>
/// The replica keeps no copy of a memory's terms: it counts them again from the memory when its content or tags change
/// or it goes. Each change must then take out exactly what the memory had put in.
/// </summary>
public sealed class AgentReplicaTermsTests
{
    [Test]
    public void ChangingAndRemovingMemoriesTakesOutExactlyTheirTerms()
    {
        var index = new AgentReplica("agent", "model");
        using var write = index.EnterWrite();
        var reopened = Add(index, "ticket 4711 reopened", "ops");
        var closed = Add(index, "ticket 4711 closed", "ops");
        Add(index, "printer jam", "office");
        Assert.That(Frequencies(index), Is.EqualTo(new[] { 2, 2, 2, 1 }), "ticket, 4711, ops, printer");

        // New tags: the memory's terms are counted again from the old entry, and the new ones posted.
        var retagged = index.EntryAt(reopened) with { Tags = ["infra"] };
        index.Replace(reopened, retagged, identity: null, TermCounts.ForMemory(retagged.Content, retagged.Tags));
        Assert.That(Frequencies(index), Is.EqualTo(new[] { 2, 2, 1, 1 }));
        Assert.That(index.DocumentFrequency("infra"), Is.EqualTo(1));

        index.Remove(closed);
        Assert.That(Frequencies(index), Is.EqualTo(new[] { 1, 1, 0, 1 }));
        index.Remove(reopened);
        Assert.That(Frequencies(index), Is.EqualTo(new[] { 0, 0, 0, 1 }));
        Assert.That(index.DocumentFrequency("infra"), Is.Zero);
        Assert.That(index.TermsAt(2), Is.EquivalentTo(TermCounts.ForMemory("printer jam", ["office"]).Terms.ToArray().Select(t => t.Key)));
    }

    private static int[] Frequencies(AgentReplica index) =>
        [.. new[] { "ticket", "4711", "ops", "printer" }.Select(word => index.DocumentFrequency(Tokenizer.Term(word)!))];

    private static int Add(AgentReplica index, string content, string tag)
    {
        var now = DateTimeOffset.UnixEpoch;
        var entry = new MemoryEntry
        {
            Id = Guid.NewGuid(),
            AgentId = "agent",
            Type = MemoryType.Episodic,
            Content = content,
            Tags = [tag],
            CreatedAt = now,
            LastAccessedAt = now,
            UpdatedAt = now,
        };
        return index.Add(entry, ContentIdentity.Hash(content), TermCounts.ForMemory(content, entry.Tags));
    }
}
