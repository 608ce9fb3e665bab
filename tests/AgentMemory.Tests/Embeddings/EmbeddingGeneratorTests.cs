using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace AgentMemory.Tests.Embeddings;

public sealed class EmbeddingGeneratorTests
{
    [Test]
    public async Task ARegisteredGeneratorIsUsedInBatchesAndItsIdIsStored()
    {
        var generator = new RecordingEmbeddingGenerator();
        await using var host = MemoryTestHost.Create(o => o.Embeddings.BatchSize = 16, services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(generator));
        await host.Memory.RememberManyAsync("a1", Enumerable.Range(0, 100).Select(i => (MemoryDraft)$"note number {i} about the release"));
        await host.Memory.FlushAsync();

        var stored = await MemoryEntries.LoadAllAsync(host.Store, "a1");
        Assert.That(stored, Has.Count.EqualTo(100));
        Assert.That(stored.All(e => e.Embedding is { Length: 64 } && e.EmbeddingModel == "recording/test-model/64"), Is.True);
        Assert.That(generator.BatchSizes.Where(n => n > 1).Sum(), Is.GreaterThanOrEqualTo(90), "memories are embedded in batches");
        Assert.That(generator.BatchSizes.Max(), Is.LessThanOrEqualTo(16));
    }

    [Test]
    public async Task AnEmbeddingThatArrivesAfterTheFirstWriteIsWrittenAsTheNextVersion()
    {
        var generator = new RecordingEmbeddingGenerator { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var host = MemoryTestHost.Create(services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(generator));
        var entry = await host.Memory.RememberAsync("a1", "the staging database moved to the new cluster");
        Assert.That(entry.Version, Is.EqualTo(1));

        // The writer does not wait for the embedding: the memory is stored without it first.
        await Waiting.UntilAsync(async () => (await MemoryEntries.LoadAllAsync(host.Store, "a1")).Count > 0, "the first write", seconds: 10);

        var first = (await MemoryEntries.LoadAllAsync(host.Store, "a1")).Single();
        Assert.That((first.Version, first.Embedding), Is.EqualTo((1L, (ReadOnlyMemory<float>?)null)));

        generator.Gate.SetResult();
        await host.Memory.FlushAsync();
        var stored = (await MemoryEntries.LoadAllAsync(host.Store, "a1")).Single();
        var live = (await host.Memory.GetAsync("a1", entry.Id))!;
        Assert.Multiple(() =>
        {
            Assert.That(stored.Embedding, Is.Not.Null, "the embedding reached the store");
            Assert.That(stored.Version, Is.EqualTo(2), "as a change of the stored row");
            Assert.That(live.Version, Is.EqualTo(2), "the agent sees the version the store holds");
            Assert.That(stored.Content, Is.EqualTo(entry.Content));
        });
    }

    [Test]
    public async Task SwitchingGeneratorReEmbedsOnLoadAndNeverComparesAcrossModels()
    {
        var store = new FaultyStore();
        await using (var first = MemoryTestHost.Create(store: store, services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(new RecordingEmbeddingGenerator("model-a"))))
        {
            await first.Memory.RememberManyAsync("a1", ["alpha fact", "beta fact", "gamma fact"]);
            await first.Memory.FlushAsync();
        }

        var second = new RecordingEmbeddingGenerator("model-b");
        await using var host = MemoryTestHost.Create(store: store, services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(second));
        var results = await host.Memory.RecallAsync("a1", new RecallRequest("beta fact") { Threshold = 0 });
        Assert.That(results[0].Memory.Content, Is.EqualTo("beta fact"));
        await host.Memory.FlushAsync();

        var stored = await MemoryEntries.LoadAllAsync(store, "a1");
        Assert.That(stored.Select(e => e.EmbeddingModel), Is.All.EqualTo("recording/model-b/64"));
        Assert.That(second.BatchSizes.Sum(), Is.GreaterThanOrEqualTo(3 + 1), "three memories re-embedded, plus the query");
    }

    [Test]
    public async Task AFailingGeneratorFailsNoRecallAndLosesNoMemory()
    {
        var generator = new RecordingEmbeddingGenerator { Fail = true };
        await using var host = MemoryTestHost.Create(services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(generator));
        var entry = await host.Memory.RememberAsync("a1", "the payment webhook secret was rotated");
        await host.Memory.FlushAsync();

        var results = await host.Memory.RecallAsync("a1", "payment webhook secret");
        Assert.That(results.Single().Memory.Id, Is.EqualTo(entry.Id));
        Assert.That(results[0].Breakdown.Semantic, Is.Zero, "lexical relevance only while the generator fails");
        Assert.That((await MemoryEntries.LoadAllAsync(host.Store, "a1")).Single().Id, Is.EqualTo(entry.Id));
        Assert.That(host.Logs.GetSnapshot().Any(l => l.Id.Name is "EmbeddingFailed" or "QueryEmbeddingFailed" && l.Level == LogLevel.Warning), Is.True);

        // It recovers: the retry embeds the memory once the generator answers again.
        generator.Fail = false;
        await Waiting.UntilAsync(async () => (await host.Memory.GetAsync("a1", entry.Id))!.Embedding is not null, "the retried embedding", seconds: 10);

        Assert.That((await host.Memory.GetAsync("a1", entry.Id))!.Embedding, Is.Not.Null);
    }

    [Test]
    public async Task ASlowGeneratorIsAskedForSeveralBatchesAtOnce()
    {
        var (host, generator) = SlowGenerator();
        await using var _ = host;
        var entries = new List<MemoryEntry>();
        for (var i = 0; i < 12; i++)
        {
            entries.Add(await host.Memory.RememberAsync("a1", $"deployment note number {i}"));
        }

        await Waiting.UntilAsync(() => generator.InFlight == 3, "three calls waiting on the slow generator");
        await Task.Delay(100);
        Assert.That(generator.InFlight, Is.EqualTo(3), "no more than MaxConcurrentCalls at once");

        generator.Gate!.SetResult();
        await host.Memory.FlushAsync();
        foreach (var entry in entries)
        {
            Assert.That((await host.Memory.GetAsync("a1", entry.Id))!.Embedding, Is.Not.Null, entry.Content);
        }

        Assert.That(generator.MaxInFlight, Is.EqualTo(3));
        Assert.That(generator.BatchSizes.Sum(), Is.EqualTo(12), "each memory embedded once");
    }

    [Test]
    public async Task AFlushWaitsForEveryBatchBeingEmbedded()
    {
        // Fewer calls than MaxConcurrentCalls: the embedder is free to read the flush while they wait.
        var (host, generator) = SlowGenerator();
        await using var _ = host;
        var first = await host.Memory.RememberAsync("a1", "the staging cluster runs postgres 15");
        var second = await host.Memory.RememberAsync("a1", "backups run nightly at two");
        await Waiting.UntilAsync(() => generator.InFlight >= 1, "a call waiting on the slow generator");

        var flush = host.Memory.FlushAsync();
        await Task.Delay(100);
        Assert.That(flush.IsCompleted, Is.False);

        generator.Gate!.SetResult();
        await flush;
        Assert.That((await host.Memory.GetAsync("a1", first.Id))!.Embedding, Is.Not.Null);
        Assert.That((await host.Memory.GetAsync("a1", second.Id))!.Embedding, Is.Not.Null);
    }

    /// <summary>A host whose generator waits until the test opens its gate: batches of 2, up to 3 calls at once.</summary>
    private static (MemoryTestHost Host, RecordingEmbeddingGenerator Generator) SlowGenerator()
    {
        var generator = new RecordingEmbeddingGenerator { Gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        var host = MemoryTestHost.Create(
            o =>
            {
                o.Embeddings.BatchSize = 2;
                o.Embeddings.MaxConcurrentCalls = 3;
            },
            services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(generator));
        return (host, generator);
    }
}
