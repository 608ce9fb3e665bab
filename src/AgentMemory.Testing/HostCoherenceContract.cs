using AgentMemory.Storage;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace AgentMemory.Testing;

/// <summary>
/// What several hosts sharing one store must see: derive an NUnit fixture, make <see cref="UseSharedStore"/> point
/// a host's memory system at the shared store, and every test runs with hosts that each have their own service provider
/// (their own replicas, writer and change feed), as replicas of an app behind a load balancer do.
/// </summary>
public abstract class HostCoherenceContract
{
    private readonly List<ServiceProvider> _hosts = [];

    /// <summary>How long a host may take to see another host's committed change before a test fails.</summary>
    protected virtual TimeSpan Convergence => TimeSpan.FromSeconds(20);

    /// <summary>Points one host's memory system at the shared store (called once per host).</summary>
    /// <param name="memory">The host's memory builder.</param>
    protected abstract void UseSharedStore(IAgentMemoryBuilder memory);

    /// <summary>Disposes the hosts a test started.</summary>
    /// <returns>A task that completes when they are stopped.</returns>
    [TearDown]
    public async Task StopHosts()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }

        _hosts.Clear();
    }

    /// <summary>Coherence: a memory one host remembers is seen by another host that already holds the agent.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task AHostSeesTheMemoriesAnotherHostRemembers()
    {
        var (a, b) = (StartHost(), StartHost());
        var agent = MemoryEntries.UniqueAgent();
        await a.RememberAsync(agent, "the first memory of the agent");
        await a.FlushAsync();
        Assert.That(await b.RecallAsync(agent, new RecallRequest("first memory")), Has.Count.EqualTo(1));

        var second = await a.RememberAsync(agent, "a second memory written later by host A");
        await a.FlushAsync();
        await EventuallyAsync(async () => await b.GetAsync(agent, second.Id) is not null, "host B sees host A's second memory");
        var recalled = await b.RecallAsync(agent, new RecallRequest("second memory written later"));
        Assert.That(recalled.Select(r => r.Memory.Id), Does.Contain(second.Id));
    }

    /// <summary>Coherence: changes of different fields of one memory on two hosts both survive, on every host.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task ChangesOfDifferentFieldsOnTwoHostsBothSurvive()
    {
        var (a, b) = (StartHost(), StartHost());
        var agent = MemoryEntries.UniqueAgent();
        var memory = await a.RememberAsync(agent, "The customer's plan is Basic");
        await a.FlushAsync();
        Assert.That(await b.GetAsync(agent, memory.Id), Is.Not.Null);

        await a.UpdateAsync(agent, memory.Id, new MemoryUpdate { Content = "The customer's plan is Enterprise" });
        await a.FlushAsync();
        await b.UpdateAsync(agent, memory.Id, new MemoryUpdate { Importance = Importance.Critical });
        await b.FlushAsync();

        var fresh = StartHost();
        var stored = await fresh.GetAsync(agent, memory.Id);
        Assert.That((stored!.Content, stored.Importance), Is.EqualTo(("The customer's plan is Enterprise", Importance.Critical)));
        foreach (var host in new[] { a, b })
        {
            await EventuallyAsync(
                async () => await host.GetAsync(agent, memory.Id) is { } seen && seen.Content == stored.Content && seen.Importance == stored.Importance && seen.Version == stored.Version,
                "both hosts hold both changes");
        }
    }

    /// <summary>Coherence: an erasure on one host is final, even for a host that still held the agent; what is remembered after it stays.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task AnErasureOnOneHostIsFinalOnEveryHost()
    {
        var (a, b) = (StartHost(), StartHost());
        var agent = MemoryEntries.UniqueAgent();
        var erased = await a.RememberManyAsync(agent, [new MemoryDraft("the user's home address is 1 Main Street"), new MemoryDraft("the user's phone number is 555 0100")]);
        await a.FlushAsync();
        Assert.That(await b.LoadAgentAsync(agent), Is.EqualTo(2));

        await a.ForgetAgentAsync(agent);

        // Host B has not heard of the erasure yet: it recalls, updates and remembers as before.
        await b.RecallAsync(agent, new RecallRequest("home address"));
        try
        {
            await b.UpdateAsync(agent, erased[0].Id, new MemoryUpdate { Importance = Importance.Critical });
        }
        catch (MemoryNotFoundException)
        {
            // Host B heard of the erasure already.
        }

        var after = await b.RememberAsync(agent, "remembered after the erasure");
        await b.FlushAsync();

        var fresh = StartHost();
        var stored = await fresh.ListAsync(agent);
        Assert.That(stored.Items.Select(m => m.Content), Is.EqualTo(new[] { "remembered after the erasure" }));
        foreach (var host in new[] { a, b })
        {
            await EventuallyAsync(
                async () => (await host.ListAsync(agent)).Items.Select(m => m.Id).SequenceEqual([after.Id]),
                "every host holds only the memory remembered after the erasure");
        }
    }

    /// <summary>Coherence: accesses recorded on two hosts all count.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task AccessesOnTwoHostsAddUp()
    {
        var (a, b) = (StartHost(), StartHost());
        var agent = MemoryEntries.UniqueAgent();
        var memory = await a.RememberAsync(agent, "the only memory of this agent");
        await a.FlushAsync();
        for (var i = 0; i < 5; i++)
        {
            await a.RecallAsync(agent, new RecallRequest("only memory"));
            await b.RecallAsync(agent, new RecallRequest("only memory"));
        }

        await a.FlushAsync();
        await b.FlushAsync();
        var fresh = StartHost();
        Assert.That((await fresh.GetAsync(agent, memory.Id))!.AccessCount, Is.EqualTo(memory.AccessCount + 10));
        await EventuallyAsync(async () => (await a.GetAsync(agent, memory.Id))!.AccessCount == memory.AccessCount + 10, "host A counts host B's accesses");
        await EventuallyAsync(async () => (await b.GetAsync(agent, memory.Id))!.AccessCount == memory.AccessCount + 10, "host B counts host A's accesses");
    }

    /// <summary>Coherence: what two hosts learn for one agent at once both count, in the store and on both hosts.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task LessonsLearnedOnTwoHostsBothCount()
    {
        var (a, b) = (StartHost(), StartHost());
        var agent = MemoryEntries.UniqueAgent();
        var memory = await a.RememberAsync(agent, "alpha beta gamma delta");
        await a.FlushAsync();
        Assert.That(await b.GetAsync(agent, memory.Id), Is.Not.Null);

        // Each host is misled by a different word of the memory, at the same time.
        await Task.WhenAll(
            a.RecordOutcomeAsync(agent, [memory.Id], -1, "alpha question").AsTask(),
            b.RecordOutcomeAsync(agent, [memory.Id], -1, "beta question").AsTask());
        await a.FlushAsync();
        await b.FlushAsync();

        var store = _hosts[0].GetRequiredService<IMemoryStore>();
        var counters = (await store.GetAgentAsync(agent))!.Counters;
        Assert.That((counters.GetValueOrDefault("misled:alpha"), counters.GetValueOrDefault("misled:beta")), Is.EqualTo((1.0, 1.0)), "both lessons are in the store");
        var stored = await StartHost().GetAsync(agent, memory.Id);
        await EventuallyAsync(async () => (await a.GetAsync(agent, memory.Id))!.Utility == stored!.Utility, "host A has both outcomes' utility");
        await EventuallyAsync(async () => (await b.GetAsync(agent, memory.Id))!.Utility == stored!.Utility, "host B has both outcomes' utility");
    }

    /// <summary>
    /// Coherence: three hosts remembering, updating, forgetting, erasing, recalling, learning and consolidating the same
    /// agents at once end with every host, and a fresh one, holding what the store holds, memory by memory, field by field.
    /// </summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task RandomWorkOnThreeHostsConverges()
    {
        var hosts = new[] { StartHost(), StartHost(), StartHost() };
        var agents = Enumerable.Range(0, 4).Select(_ => MemoryEntries.UniqueAgent()).ToArray();
        var stop = DateTime.UtcNow.AddSeconds(3);
        await Task.WhenAll(hosts.Select((host, h) => Task.Run(() => WorkAsync(host, agents, new Random(h + 17), stop))));
        foreach (var host in hosts)
        {
            await host.FlushAsync();
        }

        var fresh = StartHost();
        foreach (var agent in agents)
        {
            var stored = Snapshot(await fresh.ListAsync(agent, new MemoryQuery { Limit = 10_000 }));
            for (var h = 0; h < hosts.Length; h++)
            {
                var host = hosts[h];
                string[]? last = null;
                await EventuallyAsync(
                    async () => (last = Snapshot(await host.ListAsync(agent, new MemoryQuery { Limit = 10_000 }))).SequenceEqual(stored),
                    $"host {h} holds what the store holds for {agent}",
                    () => $"store: [{string.Join(" | ", stored)}]; host: [{string.Join(" | ", last ?? [])}]");
            }
        }
    }

    /// <summary>Starts a host (its own service provider) on the shared store.</summary>
    /// <returns>The host's memory system.</returns>
    protected IMemorySystem StartHost()
    {
        var services = new ServiceCollection();
        services.AddAgentMemory(memory =>
        {
            UseSharedStore(memory);
            memory.Configure(o =>
            {
                o.Persistence.BatchInterval = TimeSpan.FromMilliseconds(5);
                o.ChangeFeed.PollInterval = TimeSpan.FromMilliseconds(200);
                o.Consolidation.Enabled = false;
            });
        });
        var provider = services.BuildServiceProvider();
        _hosts.Add(provider);
        return provider.GetRequiredService<IMemorySystem>();
    }

    /// <summary>Waits until <paramref name="condition"/> holds, failing after <see cref="Convergence"/>.</summary>
    /// <param name="condition">The condition.</param>
    /// <param name="what">What is awaited, for the failure message.</param>
    /// <param name="detail">What to add to the failure message.</param>
    /// <returns>A task that completes when the condition holds.</returns>
    protected async Task EventuallyAsync(Func<Task<bool>> condition, string what, Func<string>? detail = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var deadline = DateTime.UtcNow + Convergence;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {Convergence.TotalSeconds:F0} s: {what}. {detail?.Invoke()}");
            }

            await Task.Delay(25);
        }
    }

    /// <summary>Every field of every memory, one string per memory in id order.</summary>
    private static string[] Snapshot(MemoryPage page) => [.. page.Items.OrderBy(m => m.Id).Select(MemoryEntries.Fingerprint)];

    private static async Task WorkAsync(IMemorySystem host, string[] agents, Random random, DateTime stop)
    {
        var known = new List<(string Agent, Guid Id)>();
        var step = 0;
        while (DateTime.UtcNow < stop)
        {
            var agent = agents[random.Next(agents.Length)];
            try
            {
                switch (random.Next(100))
                {
                    case < 35:
                        var remembered = await host.RememberAsync(agent, $"note {random.Next(60)} about topic {random.Next(8)}");
                        known.Add((agent, remembered.Id));
                        break;
                    case < 55 when known.Count > 0:
                        var (owner, id) = known[random.Next(known.Count)];
                        await host.UpdateAsync(owner, id, random.Next(3) switch
                        {
                            0 => new MemoryUpdate { Content = $"rewritten note {random.Next(1000)}" },
                            1 => new MemoryUpdate { Importance = (Importance)random.Next(4) },
                            _ => new MemoryUpdate { Valence = Math.Round(random.NextDouble() - 0.5, 2), Tags = [$"t{random.Next(5)}"] },
                        });
                        break;
                    case < 62 when known.Count > 0:
                        var (forgetOwner, forgetId) = known[random.Next(known.Count)];
                        await host.ForgetAsync(forgetOwner, forgetId);
                        break;
                    case < 64:
                        await host.ForgetAgentAsync(agent);
                        break;
                    case < 85:
                        var recalled = await host.RecallAsync(agent, new RecallRequest($"topic {random.Next(8)}"));
                        if (recalled.Count > 0 && random.Next(2) == 0)
                        {
                            await host.RecordOutcomeAsync(agent, recalled.Take(2).Select(r => r.Memory.Id), random.NextDouble() - 0.3);
                        }

                        break;
                    case < 87:
                        await host.ConsolidateAsync(agent);
                        break;
                    default:
                        await host.FlushAsync();
                        break;
                }
            }
            catch (MemoryNotFoundException)
            {
                // Forgotten, erased or merged away by another host meanwhile.
            }

            if (++step % 50 == 0)
            {
                await Task.Yield();
            }
        }
    }
}
