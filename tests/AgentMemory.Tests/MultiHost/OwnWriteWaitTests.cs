using System.Collections.Concurrent;
using AgentMemory.Storage;
using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Tests.MultiHost;

/// <summary>
/// Another host's change of a memory this host changed too waits for this host's own write (only the store's row then
/// holds both). While that write has not landed, the feed does not fetch the memory again on every read — a memory a
/// host keeps changing under load nearly always has a write queued — and once it lands, the memory is fetched and both
/// changes are held. Accesses are not such changes: they merge by the larger count and hold nothing back.
/// </summary>
[TestFixture]
public sealed class OwnWriteWaitTests
{
    [Test]
    public async Task AWaitingMemoryIsFetchedOnceItsOwnWriteLands()
    {
        await using var hosts = await TwoHosts.StartAsync();
        var (a, b, gated, agent, memory) = (hosts.A, hosts.B, hosts.Gated, hosts.Agent, hosts.Memory);

        // A's change of the memory cannot be written: its commit is held open.
        gated.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await a.UpdateAsync(agent, memory.Id, new MemoryUpdate { Importance = Importance.Critical });
        await b.UpdateAsync(agent, memory.Id, new MemoryUpdate { Content = "The customer's plan is Enterprise" });
        await b.FlushAsync();

        // B goes on writing other memories: A reads each of them while its own write of the memory waits.
        for (var i = 0; i < 5; i++)
        {
            var other = await b.RememberAsync(agent, $"another memory {i}");
            await b.FlushAsync();
            await Waiting.UntilAsync(async () => await a.GetAsync(agent, other.Id) is not null, "host A sees host B's later memories");
        }

        var readsWhileHeld = gated.ReadsWhileHeld;
        Assert.That(readsWhileHeld, Is.GreaterThanOrEqualTo(5), "host A read the feed while its write was held");
        Assert.That(gated.RefetchesWhileHeld(memory.Id), Is.Zero, "the waiting memory is not fetched while A's own write of it is unwritten");
        Assert.That((await a.GetAsync(agent, memory.Id))!.Content, Is.EqualTo("The customer's plan is Basic"), "B's change waits on A");

        gated.Gate.SetResult();
        await a.FlushAsync();
        await Waiting.UntilAsync(
            async () => await a.GetAsync(agent, memory.Id) is { Content: "The customer's plan is Enterprise", Importance: Importance.Critical },
            "host A holds both changes once its write landed");
        await Waiting.UntilAsync(
            async () => await b.GetAsync(agent, memory.Id) is { Content: "The customer's plan is Enterprise", Importance: Importance.Critical },
            "host B holds both changes");
        Assert.That(gated.Refetched(memory.Id), Is.True, "the memory was fetched again after A's write");
    }

    [Test]
    public async Task AnUnwrittenAccessDoesNotHoldBackAnotherHostsChange()
    {
        await using var hosts = await TwoHosts.StartAsync();
        var (a, b, gated, agent, memory) = (hosts.A, hosts.B, hosts.Gated, hosts.Agent, hosts.Memory);

        // A recalls the memory twice; the accesses cannot be written: A's commits are held open.
        gated.Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        for (var i = 0; i < 2; i++)
        {
            Assert.That((await a.RecallAsync(agent, new RecallRequest("customer plan"))).Select(m => m.Memory.Id), Does.Contain(memory.Id));
        }

        await b.RecallAsync(agent, new RecallRequest("customer plan"));
        await b.UpdateAsync(agent, memory.Id, new MemoryUpdate { Content = "The customer's plan is Enterprise" });
        await b.FlushAsync();

        // Access statistics merge by the larger value, so B's change is applied at once, and A keeps its own accesses.
        await Waiting.UntilAsync(
            async () => await a.GetAsync(agent, memory.Id) is { Content: "The customer's plan is Enterprise" },
            "host A applies B's change while its own accesses are unwritten");
        Assert.That((await a.GetAsync(agent, memory.Id))!.AccessCount, Is.EqualTo(memory.AccessCount + 2), "A's unwritten accesses are kept");

        gated.Gate.SetResult();
        await a.FlushAsync();
        foreach (var host in new[] { a, b })
        {
            await Waiting.UntilAsync(
                async () => await host.GetAsync(agent, memory.Id) is { Content: "The customer's plan is Enterprise" } held && held.AccessCount == memory.AccessCount + 3,
                "every host counts the three accesses of both hosts");
        }
    }

    /// <summary>
    /// Two hosts on one in-memory store, host A's writes through a <see cref="GatedStore"/>; A remembered one memory,
    /// written and seen by B.
    /// </summary>
    private sealed class TwoHosts : IAsyncDisposable
    {
        private readonly MemoryTestHost _hostA;
        private readonly MemoryTestHost _hostB;

        private TwoHosts(MemoryTestHost hostA, MemoryTestHost hostB, GatedStore gated)
        {
            (_hostA, _hostB, Gated) = (hostA, hostB, gated);
        }

        public IMemorySystem A => _hostA.Memory;

        public IMemorySystem B => _hostB.Memory;

        public GatedStore Gated { get; }

        public string Agent { get; } = $"agent-{Guid.NewGuid():N}";

        public MemoryEntry Memory { get; private set; } = null!;

        public static async Task<TwoHosts> StartAsync()
        {
            var shared = new InMemoryMemoryStore();
            var gated = new GatedStore(shared);
            var hosts = new TwoHosts(
                MemoryTestHost.Create(o => o.ChangeFeed.PollInterval = TimeSpan.FromMilliseconds(50), gated),
                MemoryTestHost.Create(o => o.ChangeFeed.PollInterval = TimeSpan.FromMilliseconds(50), shared),
                gated);
            hosts.Memory = await hosts.A.RememberAsync(hosts.Agent, "The customer's plan is Basic");
            await hosts.A.FlushAsync();
            Assert.That(await hosts.B.GetAsync(hosts.Agent, hosts.Memory.Id), Is.Not.Null);
            return hosts;
        }

        public async ValueTask DisposeAsync()
        {
            await _hostA.DisposeAsync();
            await _hostB.DisposeAsync();
        }
    }

    /// <summary>One host's view of the shared store: its writes can be held open, and its feed reads are recorded.</summary>
    private sealed class GatedStore(IMemoryStore inner) : ForwardingStore(inner)
    {
        private readonly ConcurrentQueue<(bool Held, MemoryKey[] Refetch)> _reads = new();

        public TaskCompletionSource? Gate { get; set; }

        public int ReadsWhileHeld => _reads.Count(r => r.Held);

        public int RefetchesWhileHeld(Guid id) => _reads.Count(r => r.Held && r.Refetch.Any(k => k.MemoryId == id));

        public bool Refetched(Guid id) => _reads.Any(r => !r.Held && r.Refetch.Any(k => k.MemoryId == id));

        public override async Task ApplyAsync(MemoryChangeSet changes, CancellationToken cancellationToken = default)
        {
            if (Gate is { } gate)
            {
                await gate.Task.WaitAsync(cancellationToken);
            }

            await Inner.ApplyAsync(changes, cancellationToken);
        }

        public override Task<MemoryChangePage> ReadChangesAsync(MemoryChangeQuery query, CancellationToken cancellationToken = default)
        {
            _reads.Enqueue((Gate is { Task.IsCompleted: false }, [.. query.Refetch]));
            return Inner.ReadChangesAsync(query, cancellationToken);
        }
    }
}
