using AgentMemory.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.AI;
using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Tests.Memory;

/// <summary>Agents load whole on first use, once, loudly on failure, and leave the cache when idle.</summary>
public sealed class LoadingTests
{
    [Test]
    public async Task ANewHostGetsEveryMemoryBack()
    {
        var store = new FaultyStore();
        List<MemoryEntry> before;
        await using (var first = MemoryTestHost.Create(store: store))
        {
            await first.Memory.RememberManyAsync("a1", Enumerable.Range(0, 1_500).Select(i => new MemoryDraft($"fact number {i}") { Tags = [$"t{i % 7}"] }));
            await first.Memory.FlushAsync();
            before = [.. (await first.Memory.ListAsync("a1", new MemoryQuery { Limit = 10_000 })).Items];
        }

        await using var second = MemoryTestHost.Create(store: store);
        Assert.That(await second.Memory.LoadAgentAsync("a1"), Is.EqualTo(1_500), "all of them, not the last thousand");
        var after = (await second.Memory.ListAsync("a1", new MemoryQuery { Limit = 10_000 })).Items;
        Assert.That(after, Has.Count.EqualTo(before.Count));
        for (var i = 0; i < before.Count; i++)
        {
            MemoryEntries.AssertSame(after[i], before[i]);
        }

        var recalled = await second.Memory.RecallAsync("a1", "fact number 1234");
        Assert.That(recalled[0].Memory.Content, Is.EqualTo("fact number 1234"));
    }

    [Test]
    public async Task LoadedEmbeddingsThatShareOneArrayAreComparedByTheirOwnPart()
    {
        // A store may hand out embeddings as parts of one array (PostgreSQL's reader does): each memory must be
        // compared by its own part, not by the start of the array.
        var generator = new VectorEmbeddingGenerator()
            .Set("alpha note", VectorEmbeddingGenerator.Vector((0, 1f)))
            .Set("beta note", VectorEmbeddingGenerator.Vector((1, 1f)))
            .Set("gamma note", VectorEmbeddingGenerator.Vector((2, 1f)))
            .Set("which note", VectorEmbeddingGenerator.Vector((2, 1f)));
        var store = new FaultyStore();
        await using (var first = MemoryTestHost.Create(store: store, services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(generator)))
        {
            await first.Memory.RememberManyAsync("a1", [new MemoryDraft("alpha note"), new MemoryDraft("beta note"), new MemoryDraft("gamma note")]);
            await first.Memory.FlushAsync();
        }

        var stored = await MemoryEntries.LoadAllAsync(store, "a1");
        var shared = new float[stored.Count * VectorEmbeddingGenerator.Dimensions];
        var parts = new List<MemoryEntry>();
        for (var i = 0; i < stored.Count; i++)
        {
            stored[i].Embedding!.Value.Span.CopyTo(shared.AsSpan(i * VectorEmbeddingGenerator.Dimensions));
            parts.Add(stored[i] with { Embedding = new ReadOnlyMemory<float>(shared, i * VectorEmbeddingGenerator.Dimensions, VectorEmbeddingGenerator.Dimensions), Version = stored[i].Version + 1 });
        }

        await store.ApplyAsync(new MemoryChangeSet { Updates = [.. parts.Select(static p => new MemoryPatch(p, MemoryFields.Embedding))] });
        await using var second = MemoryTestHost.Create(store: store, services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(generator));
        await second.Memory.LoadAgentAsync("a1");

        var recalled = await second.Memory.RecallAsync("a1", "which note");
        Assert.That(recalled[0].Memory.Content, Is.EqualTo("gamma note"), "the third part of the shared array, not its first");
        Assert.That(recalled[0].Breakdown.Semantic, Is.GreaterThan(0.9));
    }

    [Test]
    public async Task ConcurrentFirstCallsShareOneLoad()
    {
        var store = new FaultyStore();
        await store.ApplyAsync(new MemoryChangeSet { Inserts = [MemoryEntries.Simple("a1", "stored earlier")] });
        await using var host = MemoryTestHost.Create(store: store);

        var calls = Enumerable.Range(0, 32).Select(_ => host.Memory.ListAsync("a1").AsTask()).ToList();
        var pages = await Task.WhenAll(calls);
        Assert.That(pages.All(p => p.TotalCount == 1), Is.True);
        Assert.That(store.LoadCalls, Is.EqualTo(1));
    }

    [Test]
    public async Task AFailedLoadThrowsAndTheNextCallRetries()
    {
        var store = new FaultyStore { LoadsFail = true };
        await store.ApplyAsync(new MemoryChangeSet { Inserts = [MemoryEntries.Simple("a1", "stored earlier")] });
        await using var host = MemoryTestHost.Create(store: store);

        Assert.CatchAsync<MemoryStoreException>(async () => await host.Memory.ListAsync("a1"));
        Assert.CatchAsync<MemoryStoreException>(async () => await host.Memory.RememberAsync("a1", "must not land in an empty agent"));
        store.LoadsFail = false;
        var page = await host.Memory.ListAsync("a1");
        Assert.That(page.Items.Select(e => e.Content), Is.EqualTo(new[] { "stored earlier" }), "never silently empty");
    }

    [Test]
    public async Task IdleAgentsAreEvictedAndReloadOnNextUse()
    {
        var store = new FaultyStore();
        await using var host = MemoryTestHost.Create(o => o.MaxCachedAgents = 3, store);
        for (var i = 0; i < 10; i++)
        {
            await host.Memory.RememberAsync($"agent-{i}", $"memory of agent {i}");
            await host.Memory.FlushAsync();
        }

        var cache = (AgentMemory.Agents.AgentCache)host.Services.GetService(typeof(AgentMemory.Agents.AgentCache))!;
        Assert.That(cache.Count, Is.LessThanOrEqualTo(4));
        var loadsBefore = store.LoadCalls;
        var page = await host.Memory.ListAsync("agent-0");
        Assert.That(page.Items.Single().Content, Is.EqualTo("memory of agent 0"));
        Assert.That(store.LoadCalls, Is.EqualTo(loadsBefore + 1), "agent-0 was evicted and reloaded");
    }

    [Test]
    public async Task AnAgentWithQueuedChangesIsNeverEvicted()
    {
        var store = new FaultyStore();
        await using var host = MemoryTestHost.Create(o => o.MaxCachedAgents = 1, store);
        await host.Memory.LoadAgentAsync("pinned");
        store.Down = true;
        await host.Memory.RememberAsync("pinned", "not yet written");
        store.Down = false;
        store.LoadsFail = false;
        for (var i = 0; i < 5; i++)
        {
            await host.Memory.LoadAgentAsync($"other-{i}");
        }

        // Had "pinned" been evicted before its write, a reload would miss the memory.
        Assert.That((await host.Memory.ListAsync("pinned")).TotalCount, Is.EqualTo(1));
        await host.Memory.FlushAsync();
        Assert.That(await MemoryEntries.LoadAllAsync(store, "pinned"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task PreloadedAgentsAreLoadedAtStart()
    {
        var store = new FaultyStore();
        await store.ApplyAsync(new MemoryChangeSet { Inserts = [MemoryEntries.Simple("vip", "loaded at start")] });
        await using var host = MemoryTestHost.Create(o => o.PreloadAgents.Add("vip"), store);
        await host.StartAsync();
        Assert.That(store.LoadCalls, Is.EqualTo(1));
        Assert.That((await host.Memory.ListAsync("vip")).TotalCount, Is.EqualTo(1));
        Assert.That(store.LoadCalls, Is.EqualTo(1));
        await host.StopAsync();
    }
}
