using AgentMemory.PostgreSql.Tests.TestSupport;
using AgentMemory.Storage;
using AgentMemory.Testing;
using Npgsql;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.MultiHost;

/// <summary>
/// The table of access totals beside the memories: an access writes a narrow row there and never the memory's row,
/// and the rows of memories that are gone (deleted, or their agent erased) are emptied at once and removed by pruning.
/// The feed sends the totals beside the rows, so they can reach a reader before the memory's row does.
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

    [Test]
    public async Task TotalsCanArriveBeforeTheirMemoryAndAFetchBringsThem()
    {
        await using var test = await PostgresTestStore.CreateAsync();
        var agent = MemoryEntries.UniqueAgent();
        var (writer, reader) = (Guid.NewGuid(), Guid.NewGuid());
        var position = (await test.Store.ReadChangesAsync(new MemoryChangeQuery { Reader = reader })).Next;
        var entry = MemoryEntries.Simple(agent, "accessed, then changed behind a running transaction") with { AccessCount = 1 };
        await test.Store.ApplyAsync(new MemoryChangeSet { Writer = writer, Inserts = [entry] });
        await test.Store.ApplyAsync(new MemoryChangeSet { Writer = writer, Accesses = [new MemoryAccess(agent, entry.Id, entry.LastAccessedAt.AddMinutes(1), 2)] });

        // A transaction holding an id keeps the feed's end below every change after it: the memory's next change.
        await using var blocker = await test.Schema.DataSource.OpenConnectionAsync();
        await using var running = await blocker.BeginTransactionAsync();
        await using (var take = new NpgsqlCommand("SELECT pg_current_xact_id()", blocker, running))
        {
            await take.ExecuteScalarAsync();
        }

        await test.Store.ApplyAsync(new MemoryChangeSet { Writer = writer, Updates = [new MemoryPatch(entry with { Importance = Importance.Critical, Version = 2 }, MemoryFields.Importance)] });
        var early = await MemoryEntries.ReadChangesUntilAsync(test.Store, new MemoryChangeQuery { From = position, AgentIds = [agent], Reader = reader }, p => p.Accesses.Count > 0);
        Assert.That(early.Memories, Is.Empty, "the memory's row has moved on to a change the feed cannot return yet");
        Assert.That(early.Accesses.Single().AccessCount, Is.EqualTo(3));

        await running.CommitAsync();
        var changed = await MemoryEntries.ReadChangesUntilAsync(test.Store, new MemoryChangeQuery { From = early.Next, AgentIds = [agent], Reader = reader }, p => p.Memories.Count > 0);
        Assert.That((changed.Memories.Single().Entry.Importance, changed.Memories.Single().Entry.AccessCount), Is.EqualTo((Importance.Critical, 1L)), "the row comes with the count it was written with");
        var fetched = await test.Store.ReadChangesAsync(new MemoryChangeQuery { From = changed.Next, AgentIds = [agent], Reader = reader, Refetch = [new MemoryKey(agent, entry.Id)] });
        Assert.That(fetched.Memories.Single().Entry.AccessCount, Is.EqualTo(3), "fetched by key, the memory comes with its totals");
    }
}
