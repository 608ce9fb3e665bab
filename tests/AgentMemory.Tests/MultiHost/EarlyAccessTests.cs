using System.Collections.Concurrent;
using AgentMemory.Storage;
using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Tests.MultiHost;

/// <summary>
/// A memory's accesses can reach a host before the memory does: the memory's row has moved on to a later change the
/// feed cannot return yet, while its access totals are readable. A store may then send the row with the access count
/// it was written with (the PostgreSQL store does: totals travel beside the rows), so the host fetches such a memory
/// again, totals and all.
/// </summary>
[TestFixture]
public sealed class EarlyAccessTests
{
    [Test]
    public async Task AccessesThatArriveBeforeTheirMemoryAreKept()
    {
        var shared = new InMemoryMemoryStore();
        var late = new LateRowsStore(shared);
        await using var hostA = MemoryTestHost.Create(o => o.ChangeFeed.PollInterval = TimeSpan.FromMilliseconds(50), shared);
        await using var hostB = MemoryTestHost.Create(o => o.ChangeFeed.PollInterval = TimeSpan.FromMilliseconds(50), late);
        var (a, b) = (hostA.Memory, hostB.Memory);
        var agent = $"agent-{Guid.NewGuid():N}";
        var seed = await a.RememberAsync(agent, "The office opens at nine");
        await a.FlushAsync();
        await Waiting.UntilAsync(async () => await b.GetAsync(agent, seed.Id) is not null, "host B holds the agent");

        // A remembers and recalls a memory; B reads the access totals, but not the memory's row.
        late.WithholdRows = true;
        var memory = await a.RememberAsync(agent, "The customer's plan is Basic");
        late.WrittenCounts[memory.Id] = memory.AccessCount;
        await a.FlushAsync();
        Assert.That((await a.RecallAsync(agent, new RecallRequest("customer plan"))).Select(m => m.Memory.Id), Does.Contain(memory.Id));
        await a.FlushAsync();
        await Waiting.UntilAsync(() => late.AccessesRead(memory.Id), "host B reads the memory's access totals");

        // The row's later change arrives with the count the memory was written with.
        late.WithholdRows = false;
        await a.UpdateAsync(agent, memory.Id, new MemoryUpdate { Importance = Importance.Critical });
        await a.FlushAsync();
        await Waiting.UntilAsync(async () => await b.GetAsync(agent, memory.Id) is { Importance: Importance.Critical }, "host B holds A's change");

        var stored = (await a.GetAsync(agent, memory.Id))!;
        Assert.That(stored.AccessCount, Is.EqualTo(memory.AccessCount + 1));
        Assert.That((await b.GetAsync(agent, memory.Id))!.AccessCount, Is.EqualTo(stored.AccessCount), "host B counts the access that arrived before the memory");
    }

    /// <summary>
    /// One host's view of a shared store whose feed can return a memory's access totals before its row (while rows are
    /// withheld, only those asked for by key come), and returns the rows of chosen memories not asked for by key with
    /// the access count they were written with.
    /// </summary>
    private sealed class LateRowsStore(IMemoryStore inner) : ForwardingStore(inner)
    {
        private readonly ConcurrentDictionary<Guid, bool> _accessesRead = new();

        public volatile bool WithholdRows;

        public ConcurrentDictionary<Guid, long> WrittenCounts { get; } = new();

        public bool AccessesRead(Guid id) => _accessesRead.ContainsKey(id);

        public override async Task<MemoryChangePage> ReadChangesAsync(MemoryChangeQuery query, CancellationToken cancellationToken = default)
        {
            var page = await Inner.ReadChangesAsync(query, cancellationToken);
            var askedFor = query.Refetch.Select(static k => k.MemoryId).ToHashSet();
            var withhold = WithholdRows;
            var rows = new List<MemoryChange>();
            foreach (var change in page.Memories)
            {
                if (askedFor.Contains(change.Entry.Id))
                {
                    rows.Add(change);
                }
                else if (!withhold)
                {
                    rows.Add(WrittenCounts.TryGetValue(change.Entry.Id, out var count) ? change with { Entry = change.Entry with { AccessCount = count } } : change);
                }
            }

            foreach (var totals in page.Accesses)
            {
                _accessesRead.TryAdd(totals.MemoryId, true);
            }

            return new MemoryChangePage
            {
                Memories = rows,
                Accesses = page.Accesses,
                Deletes = page.Deletes,
                ErasedAgents = page.ErasedAgents,
                Agents = page.Agents,
                Next = page.Next,
                HasMore = page.HasMore,
                MustReload = page.MustReload,
            };
        }
    }
}
