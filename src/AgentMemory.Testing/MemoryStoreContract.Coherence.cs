using AgentMemory.Storage;
using NUnit.Framework;

namespace AgentMemory.Testing;

/// <summary>The contract for several hosts sharing one store: numbered sets, tombstones, erasure and the change feed.</summary>
public abstract partial class MemoryStoreContract
{
    /// <summary>Contract: A numbered set retried after a lost acknowledgement is applied once.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task ANumberedSetIsAppliedOnce()
    {
        var agent = MemoryEntries.UniqueAgent();
        var entry = MemoryEntries.Simple(agent, "counted") with { Utility = 0 };
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [entry] });
        var writer = Guid.NewGuid();
        var set = new MemoryChangeSet
        {
            Writer = writer,
            Batch = 7,
            Accesses = [new MemoryAccess(agent, entry.Id, entry.LastAccessedAt, 3)],
            Updates = [new MemoryPatch(entry with { Utility = 0.1 }, MemoryFields.Utility, 0.1)],
        };
        await Store.ApplyAsync(set);
        await Store.ApplyAsync(set);
        await Store.ApplyAsync(new MemoryChangeSet { Writer = writer, Batch = 6, Accesses = [new MemoryAccess(agent, entry.Id, entry.LastAccessedAt, 100)] });
        var loaded = (await MemoryEntries.LoadAllAsync(Store, agent)).Single();
        Assert.That((loaded.AccessCount, loaded.Utility), Is.EqualTo((entry.AccessCount + 3, 0.1)));

        await Store.ApplyAsync(new MemoryChangeSet { Writer = writer, Batch = 8, Accesses = [new MemoryAccess(agent, entry.Id, entry.LastAccessedAt, 1)] });
        Assert.That((await MemoryEntries.LoadAllAsync(Store, agent)).Single().AccessCount, Is.EqualTo(entry.AccessCount + 4));
    }

    /// <summary>Contract: Counter deltas of several writers add up; a reset clears them; a state given does not change them.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task CountersAddUpAcrossWriters()
    {
        var agent = MemoryEntries.UniqueAgent();
        await Store.ApplyAsync(new MemoryChangeSet { Agents = [new AgentState { AgentId = agent, CreatedAt = DateTimeOffset.UnixEpoch }] });
        await Store.ApplyAsync(new MemoryChangeSet { Writer = Guid.NewGuid(), CounterDeltas = [new(agent, "misled:alpha", 1), new(agent, "semantic.helped", 0.5)] });
        await Store.ApplyAsync(new MemoryChangeSet { Writer = Guid.NewGuid(), CounterDeltas = [new(agent, "misled:alpha", 2), new(agent, "misled:beta", 1)] });
        await Store.ApplyAsync(new MemoryChangeSet { Agents = [new AgentState { AgentId = agent, CreatedAt = DateTimeOffset.UnixEpoch, LearningEnabled = false, Counters = new Dictionary<string, double> { ["misled:alpha"] = 100 } }] });

        var state = await Store.GetAgentAsync(agent);
        Assert.That(state!.Counters, Is.EquivalentTo(new Dictionary<string, double> { ["misled:alpha"] = 3, ["misled:beta"] = 1, ["semantic.helped"] = 0.5 }));
        Assert.That(state.LearningEnabled, Is.False);

        await Store.ApplyAsync(new MemoryChangeSet { CounterResets = [agent], CounterDeltas = [new(agent, "lexical.misled", 1)] });
        Assert.That((await Store.GetAgentAsync(agent))!.Counters, Is.EquivalentTo(new Dictionary<string, double> { ["lexical.misled"] = 1 }));

        await Store.ApplyAsync(new MemoryChangeSet { DeletedAgents = [agent] });
        Assert.That(await Store.GetAgentAsync(agent), Is.Null);
    }

    /// <summary>Contract: A deleted memory is never written back by a host that still held it.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task ADeletedMemoryIsNeverWrittenBack()
    {
        var agent = MemoryEntries.UniqueAgent();
        var entry = MemoryEntries.Simple(agent, "forget me");
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [entry] });
        await Store.ApplyAsync(new MemoryChangeSet { Writer = Guid.NewGuid(), Deletes = [new MemoryKey(agent, entry.Id)] });

        var stale = Guid.NewGuid();
        await Store.ApplyAsync(new MemoryChangeSet
        {
            Writer = stale,
            Updates = [new MemoryPatch(entry with { Importance = Importance.Critical, Version = 2 }, MemoryFields.Importance)],
            Accesses = [new MemoryAccess(agent, entry.Id, entry.LastAccessedAt.AddMinutes(1), 1)],
        });
        Assert.That(await MemoryEntries.LoadAllAsync(Store, agent), Is.Empty);
    }

    /// <summary>
    /// Contract: After another host erased an agent, its memories created before the erasure are never written back;
    /// a memory created after it is kept.
    /// </summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task AnErasedAgentsMemoriesAreNeverWrittenBack()
    {
        var agent = MemoryEntries.UniqueAgent();
        var old = MemoryEntries.Simple(agent, "said before the erasure") with { CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-5) };
        var unsaved = MemoryEntries.Simple(agent, "remembered before the erasure, written after it") with { CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-4) };
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [old] });
        await Store.ApplyAsync(new MemoryChangeSet { Writer = Guid.NewGuid(), DeletedAgents = [agent] });

        var after = MemoryEntries.Simple(agent, "remembered after the erasure") with { CreatedAt = DateTimeOffset.UtcNow.AddMinutes(5), UpdatedAt = DateTimeOffset.UtcNow.AddMinutes(5), LastAccessedAt = DateTimeOffset.UtcNow.AddMinutes(5) };
        await Store.ApplyAsync(new MemoryChangeSet
        {
            Writer = Guid.NewGuid(),
            Inserts = [unsaved, after],
            Updates = [new MemoryPatch(old with { Importance = Importance.High, Version = 2 }, MemoryFields.Importance)],
        });

        var loaded = await MemoryEntries.LoadAllAsync(Store, agent);
        Assert.That(loaded.Select(m => m.Content), Is.EqualTo(new[] { "remembered after the erasure" }));
    }

    /// <summary>Contract: The feed returns other writers' changes once, and nothing of the reader's own.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task TheFeedReturnsOtherWritersChangesOnce()
    {
        var agent = MemoryEntries.UniqueAgent();
        var otherAgent = MemoryEntries.UniqueAgent();
        var reader = Guid.NewGuid();
        var writer = Guid.NewGuid();
        var own = MemoryEntries.Simple(agent, "the reader's own");
        var doomed = MemoryEntries.Simple(agent, "deleted by the writer");
        await Store.ApplyAsync(new MemoryChangeSet { Writer = reader, Inserts = [own, doomed] });
        var start = (await Store.ReadChangesAsync(new MemoryChangeQuery { Reader = reader })).Next;

        var theirs = MemoryEntries.Simple(agent, "the writer's");
        var elsewhere = MemoryEntries.Simple(otherAgent, "another agent's");
        var state = new AgentState { AgentId = agent, CreatedAt = DateTimeOffset.UnixEpoch, LearningEnabled = false };
        await Store.ApplyAsync(new MemoryChangeSet { Writer = writer, Agents = [state], Inserts = [theirs, elsewhere], Deletes = [new MemoryKey(agent, doomed.Id)] });
        await Store.ApplyAsync(new MemoryChangeSet { Writer = reader, Inserts = [MemoryEntries.Simple(agent, "the reader's second")] });

        var page = await ReadUntilAsync(new MemoryChangeQuery { From = start, AgentIds = [agent], Reader = reader }, p => p.Memories.Count > 0);
        Assert.That(page.MustReload, Is.False);
        Assert.That(page.Memories.Select(m => m.Entry.Content), Is.EqualTo(new[] { "the writer's" }));
        MemoryEntries.AssertSame(page.Memories[0].Entry, theirs);
        Assert.That(page.Deletes, Is.EqualTo(new[] { new MemoryKey(agent, doomed.Id) }));
        Assert.That(page.Agents.Select(a => (a.AgentId, a.LearningEnabled)), Is.EqualTo(new[] { (agent, false) }));
        Assert.That(page.Next, Is.GreaterThan(start));

        var again = await Store.ReadChangesAsync(new MemoryChangeQuery { From = page.Next, AgentIds = [agent], Reader = reader });
        Assert.That((again.Memories.Count, again.Deletes.Count, again.Agents.Count, again.ErasedAgents.Count), Is.EqualTo((0, 0, 0, 0)));
        Assert.That(again.Next, Is.GreaterThanOrEqualTo(page.Next));
    }

    /// <summary>Contract: A row the reader wrote last comes back when its write landed on another writer's change.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task TheFeedReturnsTheReadersRowWhenItMergedAnotherWritersChange()
    {
        var agent = MemoryEntries.UniqueAgent();
        var reader = Guid.NewGuid();
        var writer = Guid.NewGuid();
        var entry = MemoryEntries.Simple(agent, "shared");
        await Store.ApplyAsync(new MemoryChangeSet { Writer = reader, Inserts = [entry] });
        var start = (await Store.ReadChangesAsync(new MemoryChangeQuery { Reader = reader })).Next;
        await Store.ApplyAsync(new MemoryChangeSet { Writer = writer, Updates = [new MemoryPatch(entry with { Content = "their wording", Version = 2 }, MemoryFields.Content)] });
        await Store.ApplyAsync(new MemoryChangeSet { Writer = reader, Updates = [new MemoryPatch(entry with { Importance = Importance.Critical, Version = 2 }, MemoryFields.Importance)] });

        var page = await ReadUntilAsync(new MemoryChangeQuery { From = start, AgentIds = [agent], Reader = reader }, p => p.Memories.Count > 0);
        var merged = page.Memories.Single().Entry;
        Assert.That((merged.Content, merged.Importance, merged.Version), Is.EqualTo(("their wording", Importance.Critical, 3L)));
    }

    /// <summary>
    /// Contract: An access does not make the row travel: every reader, the accessing writer and the row's own writer
    /// too, gets the memory's access totals as stored; a later change of another field brings the row, which may carry
    /// the count it was written with rather than the totals (a reader keeps the larger); fetched by key, it has the totals.
    /// </summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task AnAccessComesToEveryReaderAsTotals()
    {
        var agent = MemoryEntries.UniqueAgent();
        var owner = Guid.NewGuid();
        var accessor = Guid.NewGuid();
        var entry = MemoryEntries.Simple(agent, "recalled often") with { AccessCount = 2 };
        await Store.ApplyAsync(new MemoryChangeSet { Writer = owner, Inserts = [entry] });
        var start = (await Store.ReadChangesAsync(new MemoryChangeQuery { Reader = owner })).Next;
        var later = entry.LastAccessedAt.AddMinutes(7);
        await Store.ApplyAsync(new MemoryChangeSet { Writer = accessor, Accesses = [new MemoryAccess(agent, entry.Id, later, 3)] });
        await Store.ApplyAsync(new MemoryChangeSet { Writer = owner, Accesses = [new MemoryAccess(agent, entry.Id, entry.LastAccessedAt, 1)] });

        foreach (var reader in new[] { owner, accessor, Guid.NewGuid() })
        {
            var page = await ReadUntilAsync(new MemoryChangeQuery { From = start, AgentIds = [agent], Reader = reader }, p => p.Accesses.Count > 0);
            Assert.That(page.Memories, Is.Empty, "no row travels for accesses");
            var totals = page.Accesses.Single();
            Assert.That((totals.AgentId, totals.MemoryId, totals.AccessCount, totals.LastAccessedAt), Is.EqualTo((agent, entry.Id, 6L, later)));
            var after = await Store.ReadChangesAsync(new MemoryChangeQuery { From = page.Next, AgentIds = [agent], Reader = reader });
            Assert.That(after.Accesses, Is.Empty, "the totals come once");
        }

        var position = (await Store.ReadChangesAsync(new MemoryChangeQuery { Reader = accessor })).Next;
        await Store.ApplyAsync(new MemoryChangeSet { Writer = owner, Updates = [new MemoryPatch(entry with { Importance = Importance.Critical, Version = 2 }, MemoryFields.Importance)] });
        var changed = await ReadUntilAsync(new MemoryChangeQuery { From = position, AgentIds = [agent], Reader = accessor }, p => p.Memories.Count > 0);
        Assert.That(changed.Memories.Single().Entry.Importance, Is.EqualTo(Importance.Critical));
        Assert.That(changed.Memories.Single().Entry.AccessCount, Is.InRange(2L, 6L), "a changed row may come with the count it was written with, never more than the totals");
        Assert.That(changed.Accesses, Is.Empty, "no access since the position");
        var fetched = await Store.ReadChangesAsync(new MemoryChangeQuery { From = changed.Next, AgentIds = [agent], Reader = accessor, Refetch = [new MemoryKey(agent, entry.Id)] });
        Assert.That(fetched.Memories.Single().Entry.AccessCount, Is.EqualTo(6L), "a memory fetched by key comes with its totals");
    }

    /// <summary>
    /// Contract: A memory remembered again under the id of a deleted memory, or of a memory of an erased agent, counts
    /// only its own accesses: what the earlier memory was accessed is gone with it.
    /// </summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task AMemoryRememberedAgainCountsOnlyItsOwnAccesses()
    {
        var agent = MemoryEntries.UniqueAgent();
        var deleted = MemoryEntries.Simple(agent, "deleted, then remembered again") with { AccessCount = 1 };
        var erased = MemoryEntries.Simple(agent, "erased, then remembered again") with { AccessCount = 1 };
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [deleted, erased] });
        await Store.ApplyAsync(new MemoryChangeSet { Accesses = [new MemoryAccess(agent, deleted.Id, deleted.LastAccessedAt, 5), new MemoryAccess(agent, erased.Id, erased.LastAccessedAt, 7)] });
        await Store.ApplyAsync(new MemoryChangeSet { Deletes = [new MemoryKey(agent, deleted.Id)] });
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [deleted with { AccessCount = 2 }] });
        await Store.ApplyAsync(new MemoryChangeSet { Accesses = [new MemoryAccess(agent, deleted.Id, deleted.LastAccessedAt, 1)] });
        await Store.ApplyAsync(new MemoryChangeSet { DeletedAgents = [agent] });
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [erased with { AccessCount = 2, CreatedAt = DateTimeOffset.UtcNow.AddMinutes(5) }] });

        var loaded = (await MemoryEntries.LoadAllAsync(Store, agent)).ToDictionary(static m => m.Id);
        Assert.That(loaded.Keys, Is.EquivalentTo(new[] { erased.Id }), "the erasure took the memory deleted and remembered again too");
        Assert.That(loaded[erased.Id].AccessCount, Is.EqualTo(2), "not the 8 of the erased memory");

        var again = MemoryEntries.UniqueAgent();
        var memory = MemoryEntries.Simple(again, "remembered twice") with { AccessCount = 1 };
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [memory] });
        await Store.ApplyAsync(new MemoryChangeSet { Accesses = [new MemoryAccess(again, memory.Id, memory.LastAccessedAt, 5)] });
        await Store.ApplyAsync(new MemoryChangeSet { Deletes = [new MemoryKey(again, memory.Id)] });
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [memory with { AccessCount = 2 }] });
        await Store.ApplyAsync(new MemoryChangeSet { Accesses = [new MemoryAccess(again, memory.Id, memory.LastAccessedAt, 1)] });
        Assert.That((await MemoryEntries.LoadAllAsync(Store, again)).Single().AccessCount, Is.EqualTo(3), "2 of its own and 1 access, not the 6 of the deleted memory");
    }

    /// <summary>Contract: An erasure by another writer is in the feed.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task TheFeedTellsOfAnErasure()
    {
        var agent = MemoryEntries.UniqueAgent();
        var reader = Guid.NewGuid();
        await Store.ApplyAsync(new MemoryChangeSet { Writer = reader, Inserts = [MemoryEntries.Simple(agent, "soon gone")] });
        var start = (await Store.ReadChangesAsync(new MemoryChangeQuery { Reader = reader })).Next;
        await Store.ApplyAsync(new MemoryChangeSet { Writer = Guid.NewGuid(), DeletedAgents = [agent] });
        var page = await ReadUntilAsync(new MemoryChangeQuery { From = start, AgentIds = [agent], Reader = reader }, p => p.ErasedAgents.Count > 0);
        Assert.That(page.ErasedAgents, Is.EqualTo(new[] { agent }));
    }

    /// <summary>Contract: A reader whose position is older than the tombstones forgotten must reload.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task AReaderBehindPrunedTombstonesMustReload()
    {
        var agent = MemoryEntries.UniqueAgent();
        var entry = MemoryEntries.Simple(agent, "deleted long ago");
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [entry] });
        var reader = Guid.NewGuid();
        var start = (await Store.ReadChangesAsync(new MemoryChangeQuery { Reader = reader })).Next;
        await Store.ApplyAsync(new MemoryChangeSet { Writer = Guid.NewGuid(), Deletes = [new MemoryKey(agent, entry.Id)] });

        Assert.That(await Store.PruneAsync(DateTimeOffset.UtcNow.AddDays(1)), Is.GreaterThanOrEqualTo(1));
        var page = await Store.ReadChangesAsync(new MemoryChangeQuery { From = start, AgentIds = [agent], Reader = reader });
        Assert.That(page.MustReload, Is.True);
        var fresh = await Store.ReadChangesAsync(new MemoryChangeQuery { From = page.Next, AgentIds = [agent], Reader = reader });
        Assert.That(fresh.MustReload, Is.False);
    }

    /// <summary>Contract: A waiting reader is woken by another writer's commit, not by its own.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task AWaitingReaderIsWokenByAnotherWritersCommit()
    {
        var agent = MemoryEntries.UniqueAgent();
        var reader = Guid.NewGuid();

        // The first wait may start a listener; a wake-up from that start is not what is checked here.
        await Store.WaitForChangesAsync(reader, TimeSpan.FromMilliseconds(200));
        var own = Store.WaitForChangesAsync(reader, TimeSpan.FromMilliseconds(500));
        await Store.ApplyAsync(new MemoryChangeSet { Writer = reader, Inserts = [MemoryEntries.Simple(agent, "own")] });
        Assert.That(await own, Is.False, "the reader's own commit does not wake it");

        var other = Store.WaitForChangesAsync(reader, TimeSpan.FromSeconds(10));
        await Task.Delay(50);
        await Store.ApplyAsync(new MemoryChangeSet { Writer = Guid.NewGuid(), Inserts = [MemoryEntries.Simple(agent, "theirs")] });
        Assert.That(await other, Is.True);
    }

    /// <summary>Contract: A backlog larger than the limit comes in pages that end between commits, each change once.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task TheFeedPagesABacklogBetweenCommits()
    {
        var agent = MemoryEntries.UniqueAgent();
        var reader = Guid.NewGuid();
        var writer = Guid.NewGuid();
        await Store.ApplyAsync(new MemoryChangeSet { Writer = reader, Inserts = [MemoryEntries.Simple(agent, "the reader's")] });
        var position = (await Store.ReadChangesAsync(new MemoryChangeQuery { Reader = reader })).Next;
        var written = new List<Guid>();
        for (var commit = 0; commit < 3; commit++)
        {
            var set = Enumerable.Range(0, 30).Select(i => MemoryEntries.Simple(agent, $"commit {commit} memory {i}")).ToList();
            await Store.ApplyAsync(new MemoryChangeSet { Writer = writer, Inserts = set });
            written.AddRange(set.Select(m => m.Id));
        }

        var seen = new List<Guid>();
        var pages = 0;
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (seen.Count < written.Count && DateTime.UtcNow < deadline)
        {
            var page = await Store.ReadChangesAsync(new MemoryChangeQuery { From = position, AgentIds = [agent], Reader = reader, Limit = 40 });
            Assert.That(page.Memories, Has.Count.LessThanOrEqualTo(40), "a page ends before the commit that passes the limit");
            Assert.That(page.Memories.Count % 30, Is.Zero, "a page never ends inside a commit");
            seen.AddRange(page.Memories.Select(m => m.Entry.Id));
            pages += page.Memories.Count > 0 ? 1 : 0;
            position = page.Next;
        }

        Assert.That(seen, Is.EquivalentTo(written), "every change once");
        Assert.That(pages, Is.GreaterThanOrEqualTo(3));
    }

    /// <summary>
    /// Contract: A commit larger than the limit comes whole, in one page, and the page after it goes on with the next
    /// commit; other agents' changes do not take room in a page.
    /// </summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task ACommitLargerThanTheLimitComesWhole()
    {
        var agent = MemoryEntries.UniqueAgent();
        var elsewhere = MemoryEntries.UniqueAgent();
        var reader = Guid.NewGuid();
        var writer = Guid.NewGuid();
        await Store.ApplyAsync(new MemoryChangeSet { Writer = reader, Inserts = [MemoryEntries.Simple(agent, "the reader's")] });
        var position = (await Store.ReadChangesAsync(new MemoryChangeQuery { Reader = reader })).Next;
        await Store.ApplyAsync(new MemoryChangeSet { Writer = writer, Inserts = [.. Enumerable.Range(0, 50).Select(i => MemoryEntries.Simple(elsewhere, $"not held {i}"))] });
        var large = Enumerable.Range(0, 25).Select(i => MemoryEntries.Simple(agent, $"large commit {i}")).ToList();
        await Store.ApplyAsync(new MemoryChangeSet { Writer = writer, Inserts = large });
        var next = MemoryEntries.Simple(agent, "the next commit");
        await Store.ApplyAsync(new MemoryChangeSet { Writer = writer, Inserts = [next] });

        var pages = new List<List<Guid>>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (pages.Sum(p => p.Count) < large.Count + 1 && DateTime.UtcNow < deadline)
        {
            var page = await Store.ReadChangesAsync(new MemoryChangeQuery { From = position, AgentIds = [agent], Reader = reader, Limit = 10 });
            if (page.Memories.Count > 0)
            {
                pages.Add([.. page.Memories.Select(m => m.Entry.Id)]);
            }

            position = page.Next;
        }

        Assert.That(pages, Has.Count.EqualTo(2), "the large commit in one page, the next commit in another");
        Assert.That(pages[0], Is.EquivalentTo(large.Select(m => m.Id)));
        Assert.That(pages[1], Is.EqualTo(new[] { next.Id }));
    }

    /// <summary>Contract: A read asking for no memory at all is refused.</summary>
    [Test]
    public void AReadWithALimitBelowOneIsRefused() =>
        Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Store.ReadChangesAsync(new MemoryChangeQuery { From = 1, Limit = 0 }));

    /// <summary>Reads the feed from the query's position until <paramref name="done"/> (a store's bound may trail a commit briefly).</summary>
    private Task<MemoryChangePage> ReadUntilAsync(MemoryChangeQuery query, Func<MemoryChangePage, bool> done) => MemoryEntries.ReadChangesUntilAsync(Store, query, done);
}
