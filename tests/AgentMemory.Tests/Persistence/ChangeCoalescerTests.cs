using AgentMemory.Persistence;
using NUnit.Framework;

namespace AgentMemory.Tests.Persistence;

/// <summary>
/// The coalescer keys memories by agent and memory id (hashed by the memory id alone) in tables the writer reuses from
/// batch to batch: one memory id under two agents stays two memories, and nothing of one batch leaks into the next.
/// </summary>
public sealed class ChangeCoalescerTests
{
    [Test]
    public void OneMemoryIdUnderTwoAgentsStaysTwoUnits()
    {
        var id = Guid.CreateVersion7();
        var batch = new List<ChangeRecord>
        {
            ChangeRecord.Insert(Entry("agent-a", id, "first"), default),
            ChangeRecord.Insert(Entry("agent-b", id, "second"), default),
            ChangeRecord.Insert(Entry("agent-a", id, "first, again") with { Version = 2 }, default),
        };

        var units = ChangeCoalescer.Coalesce(batch, batch.Count, new ChangeCoalescer.Scratch());

        Assert.That(units.Select(u => (u.AgentId, u.Snapshot!.Content)), Is.EqualTo(new[] { ("agent-a", "first, again"), ("agent-b", "second") }));
    }

    [Test]
    public void AReusedScratchStartsEachBatchEmpty()
    {
        var scratch = new ChangeCoalescer.Scratch();
        var id = Guid.CreateVersion7();
        var first = new List<ChangeRecord> { ChangeRecord.Insert(Entry("agent-a", id, "first"), default) };
        Assert.That(ChangeCoalescer.Coalesce(first, first.Count, scratch).Single().IsNew, Is.True);

        // The same memory changed in the next batch is an update of the written row, not part of the earlier insert.
        var update = Entry("agent-a", id, "changed") with { Version = 2 };
        var second = new List<ChangeRecord> { ChangeRecord.Update(update, Entry("agent-a", id, "first"), default) };
        var units = ChangeCoalescer.Coalesce(second, second.Count, scratch);

        Assert.Multiple(() =>
        {
            Assert.That(units, Has.Count.EqualTo(1));
            Assert.That(units[0].IsNew, Is.False);
            Assert.That(units[0].Fields.HasFlag(MemoryFields.Content), Is.True);
            Assert.That(scratch.Memories, Is.Empty, "the table keeps no unit between batches");
        });
    }

    private static MemoryEntry Entry(string agentId, Guid id, string content) => MemoryEntries.Simple(agentId, content, id: id);
}
