using AgentMemory.Tests.Embeddings;
using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace AgentMemory.Tests.Persistence;

/// <summary>
/// The writer holds a new memory back for one batch while its embedding is computed, so the memory is written once,
/// with it; never for a flush or a write-through caller, never twice, never out of order, never past shutdown.
/// </summary>
public sealed class EmbeddingHoldBackTests
{
    [Test]
    public async Task AMemoryWhoseEmbeddingLandsWhileHeldBackIsWrittenOnceWithIt()
    {
        var (host, store, generator) = Create(batchSize: 2);
        await using var _ = host;
        var first = await EmbeddedThenGatedAsync(host, generator);
        var calls = store.ApplyCalls;

        // The next batch is [an update of the embedded memory, a new memory whose embedding is not computed yet].
        store.ApplyGate = Closed();
        await host.Memory.UpdateAsync("a1", first.Id, new MemoryUpdate { Importance = Importance.High });
        var second = await host.Memory.RememberAsync("a1", "backups run nightly at two");

        // The update is being written (its commit held open); the new memory waits. Its embedding lands meanwhile.
        await Waiting.UntilAsync(() => store.ApplyCalls == calls + 1, "the update's batch reached the store");
        generator.Gate!.SetResult();
        await Waiting.UntilAsync(async () => (await host.Memory.GetAsync("a1", second.Id))!.Embedding is not null, "the embedding was applied");
        store.ApplyGate.SetResult();
        await host.Memory.FlushAsync();

        var writes = store.WrittenUpserts.Where(e => e.Id == second.Id).ToList();
        Assert.That(writes, Has.Count.EqualTo(1), "one write, not a first one without the embedding and a rewrite");
        Assert.Multiple(() =>
        {
            Assert.That(writes[0].Version, Is.EqualTo(1));
            Assert.That(writes[0].Embedding, Is.Not.Null);
            Assert.That(store.WrittenUpserts.Count(e => e.Id == first.Id), Is.EqualTo(2), "the update was not held back");
        });
    }

    [Test]
    public async Task ChangesQueuedAfterAHeldBackMemoryStayBehindIt()
    {
        var (host, store, generator) = Create(batchSize: 3);
        await using var _ = host;
        var first = await EmbeddedThenGatedAsync(host, generator);
        await host.Memory.UpdateAsync("a1", first.Id, new MemoryUpdate { Importance = Importance.High });
        var second = await host.Memory.RememberAsync("a1", "backups run nightly at two");
        Assert.That(await host.Memory.ForgetAsync("a1", second.Id), Is.True);

        // The update is written; the new memory is held back, and its forgetting with it.
        await Waiting.UntilAsync(() => store.WrittenUpserts.Count(e => e.Id == first.Id) == 2, "the update was written");
        Assert.That(await MemoryEntries.LoadAllAsync(store, "a1"), Has.Count.EqualTo(1));
        generator.Gate!.SetResult();
        await host.Memory.FlushAsync();

        Assert.That((await MemoryEntries.LoadAllAsync(store, "a1")).Select(e => e.Id), Is.EqualTo(new[] { first.Id }), "forgotten, in order");
        Assert.That(store.WrittenUpserts.Any(e => e.Id == second.Id), Is.False, "a memory forgotten in the same batch is never written");
    }

    [Test]
    public async Task AWriteThroughCallerIsNeverHeldBack()
    {
        var (host, store, generator) = Create(batchSize: 1, o => o.Persistence.Durability = Durability.WriteThrough);
        await using var _ = host;
        generator.Gate = Closed();

        var entry = await host.Memory.RememberAsync("a1", "the payment webhook secret was rotated").AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        var stored = (await MemoryEntries.LoadAllAsync(store, "a1")).Single();
        Assert.That((stored.Id, stored.Embedding), Is.EqualTo((entry.Id, (ReadOnlyMemory<float>?)null)), "written at once, without the embedding");
        Assert.That(host.Logs.GetSnapshot().Where(l => l.Id.Name == "HeldForEmbeddings"), Is.Empty);
        generator.Gate.SetResult();
    }

    [Test]
    public async Task MemoriesHeldBackWhenTheHostStopsAreWritten()
    {
        // The generator fails, so no memory gets an embedding: the writer holds back a whole batch and waits.
        var (host, store, generator) = Create(batchSize: 10, o => o.Persistence.MaxBatchSize = 100);
        generator.Fail = true;
        await host.StartAsync();
        await host.Memory.RememberAsync("a1", "the agent's first memory");
        await host.Memory.FlushAsync();
        for (var i = 0; i < 50; i++)
        {
            await host.Memory.RememberAsync("a1", $"queued memory {i}");
        }

        await Waiting.UntilAsync(() => host.Logs.GetSnapshot().Any(l => l.Id.Name == "HeldForEmbeddings"), "the writer held a batch back");
        Assert.That(store.WrittenUpserts, Has.Count.EqualTo(1), "only the flushed memory is written so far");

        await host.StopAsync();
        Assert.That(await MemoryEntries.LoadAllAsync(store, "a1"), Has.Count.EqualTo(51));
        await host.DisposeAsync();
    }

    /// <summary>Writes one memory with its embedding, then closes the generator: later memories wait for theirs.</summary>
    private static async Task<MemoryEntry> EmbeddedThenGatedAsync(MemoryTestHost host, RecordingEmbeddingGenerator generator)
    {
        var first = await host.Memory.RememberAsync("a1", "the staging cluster runs postgres 15");
        await host.Memory.FlushAsync();
        generator.Gate = Closed();
        return first;
    }

    private static TaskCompletionSource Closed() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private static (MemoryTestHost Host, FaultyStore Store, RecordingEmbeddingGenerator Generator) Create(int batchSize, Action<AgentMemoryOptions>? configure = null)
    {
        var store = new FaultyStore();
        var generator = new RecordingEmbeddingGenerator();
        var host = MemoryTestHost.Create(
            o =>
            {
                o.Persistence.BatchSize = batchSize;
                o.Persistence.BatchInterval = TimeSpan.FromSeconds(30);
                configure?.Invoke(o);
            },
            store,
            services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(generator));
        return (host, store, generator);
    }
}
