using AgentMemory.PostgreSql.Tests.TestSupport;
using AgentMemory.Storage;
using AgentMemory.Testing;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.MultiHost;

/// <summary>
/// The table of access totals beside the memories: an access writes a narrow row there and never the memory's row,
/// and the rows of memories that are gone (deleted, or their agent erased) are emptied at once and removed by pruning.
/// </summary>
public sealed class AccessTotalsTableTests
{
    [Test]
    public async Task AnAccessLeavesTheMemoryRowAsItWas()
    {
        await using var test = await PostgresTestStore.CreateAsync();
        var agent = MemoryEntries.UniqueAgent();
        var entry = MemoryEntries.Simple(agent, "recalled") with { AccessCount = 2 };
        await test.Store.ApplyAsync(new MemoryChangeSet { Writer = Guid.NewGuid(), Inserts = [entry] });
        var before = await test.Schema.ScalarAsync<string>($"SELECT changed_xid::text || '/' || writer::text || '/' || access_count FROM @schema.memories WHERE id = '{entry.Id}'");

        await test.Store.ApplyAsync(new MemoryChangeSet { Writer = Guid.NewGuid(), Accesses = [new MemoryAccess(agent, entry.Id, entry.LastAccessedAt.AddMinutes(1), 3)] });

        Assert.That(await test.Schema.ScalarAsync<string>($"SELECT changed_xid::text || '/' || writer::text || '/' || access_count FROM @schema.memories WHERE id = '{entry.Id}'"), Is.EqualTo(before));
        Assert.That(await test.Schema.ScalarAsync<long>($"SELECT access_count FROM @schema.memory_accesses WHERE memory_id = '{entry.Id}'"), Is.EqualTo(5));
        Assert.That((await MemoryEntries.LoadAllAsync(test.Store, agent)).Single().AccessCount, Is.EqualTo(5));
    }

    [Test]
    public async Task TheTotalsOfGoneMemoriesAreEmptiedAndPruned()
    {
        await using var test = await PostgresTestStore.CreateAsync();
        var agent = MemoryEntries.UniqueAgent();
        var erasedAgent = MemoryEntries.UniqueAgent();
        var deleted = MemoryEntries.Simple(agent, "deleted");
        var kept = MemoryEntries.Simple(agent, "kept");
        var erased = MemoryEntries.Simple(erasedAgent, "erased");
        await test.Store.ApplyAsync(new MemoryChangeSet { Inserts = [deleted, kept, erased] });
        await test.Store.ApplyAsync(new MemoryChangeSet
        {
            Accesses = [new MemoryAccess(agent, deleted.Id, deleted.LastAccessedAt, 4), new MemoryAccess(agent, kept.Id, kept.LastAccessedAt, 1), new MemoryAccess(erasedAgent, erased.Id, erased.LastAccessedAt, 2)],
        });

        await test.Store.ApplyAsync(new MemoryChangeSet { Deletes = [new MemoryKey(agent, deleted.Id)], DeletedAgents = [erasedAgent] });
        var emptied = await test.Schema.ScalarAsync<long>($"SELECT count(*) FROM @schema.memory_accesses WHERE access_count IS NULL AND last_accessed_at IS NULL AND memory_id IN ('{deleted.Id}', '{erased.Id}')");
        Assert.That(emptied, Is.EqualTo(2), "the deletion and the erasure empty the totals in their own change set");

        await test.Store.PruneAsync(DateTimeOffset.UtcNow.AddMinutes(-5));
        Assert.That(await test.Schema.ScalarAsync<long>("SELECT count(*) FROM @schema.memory_accesses"), Is.EqualTo(1), "pruning keeps only the totals of the memory still there");
        Assert.That((await MemoryEntries.LoadAllAsync(test.Store, agent)).Single().AccessCount, Is.EqualTo(kept.AccessCount + 1));
    }
}
