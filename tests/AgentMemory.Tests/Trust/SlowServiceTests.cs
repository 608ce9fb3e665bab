using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace AgentMemory.Tests.Trust;

/// <summary>An embedding service that stops answering costs the agent a timeout, never a hang, and never a write.</summary>
public sealed class SlowServiceTests
{
    [Test]
    public async Task RecallFlushAndLearningFinishWhenTheGeneratorNeverAnswers()
    {
        var generator = new SilentGenerator();
        await using var host = MemoryTestHost.Create(
            o =>
            {
                o.Embeddings.QueryTimeout = TimeSpan.FromMilliseconds(200);
                o.Embeddings.Timeout = TimeSpan.FromMilliseconds(300);
                o.Embeddings.RetryDelay = TimeSpan.FromMinutes(10);
            },
            services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(generator));
        var fact = await host.Memory.RememberAsync("a1", "Restart the export worker when exports hang");

        var recalled = await host.Memory.RecallAsync("a1", "exports hang").AsTask().WaitAsync(TimeSpan.FromSeconds(5));
        await host.Memory.FlushAsync().WaitAsync(TimeSpan.FromSeconds(5));
        var learned = await host.Memory.RecordOutcomeAsync("a1", [fact.Id], 1, "exports hang").AsTask().WaitAsync(TimeSpan.FromSeconds(5));

        Assert.That(recalled.Select(r => r.Memory.Id), Is.EqualTo(new[] { fact.Id }), "recall fell back to word match");
        Assert.That(learned, Is.EqualTo(1));
        Assert.That((await MemoryEntries.LoadAllAsync(host.Store, "a1")).Single().Id, Is.EqualTo(fact.Id), "saved without its embedding");
        Assert.That(generator.Cancelled, Is.GreaterThanOrEqualTo(2), "the generator was asked to stop, not abandoned");
        Assert.That(host.Logs.GetSnapshot().Any(l => l.Id.Name == "QueryEmbeddingFailed"), Is.True);
    }

    [Test]
    public async Task AtShutdownTheStoreGetsItsShareBeforeEmbeddings()
    {
        var store = new FaultyStore();
        var generator = new SilentGenerator();
        var host = MemoryTestHost.Create(
            o => o.Persistence.BatchInterval = TimeSpan.FromSeconds(5),
            store,
            services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(generator));
        await host.StartAsync();
        for (var i = 0; i < 100; i++)
        {
            await host.Memory.RememberAsync("a1", $"memory number {i} remembered just before shutdown");
        }

        // A 3-second shutdown budget: the embeddings must not take it all, or the writer is cut off before it writes.
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        await host.StopAsync(budget.Token);

        Assert.That(await MemoryEntries.LoadAllAsync(store, "a1"), Has.Count.EqualTo(100), "every memory saved, without its embedding");
        await host.DisposeAsync();
    }

    /// <summary>A generator that never answers, and honours cancellation.</summary>
    private sealed class SilentGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        private int _cancelled;

        public int Cancelled => Volatile.Read(ref _cancelled);

        public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _cancelled);
                throw;
            }

            throw new InvalidOperationException("unreachable");
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
