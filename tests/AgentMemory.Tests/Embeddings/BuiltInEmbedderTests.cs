using AgentMemory.Diagnostics;
using AgentMemory.Embeddings;
using AgentMemory.Persistence;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace AgentMemory.Tests.Embeddings;

/// <summary>
/// The built-in generator embeds on a thread of its own, so its batches are not queued behind the callers' work on a
/// busy thread pool (the writer waits only one batch interval for a new memory's embedding).
/// </summary>
public sealed class BuiltInEmbedderTests
{
    [Test]
    public async Task TheBuiltInGeneratorEmbedsOffTheThreadPoolInBatchesLargerThanARequest()
    {
        var sink = new RecordingSink();
        var service = new EmbeddingService(Options.Create(new AgentMemoryOptions()), TimeProvider.System, new AgentMemoryInstruments(), sink);
        var target = new Target();

        // Queued faster than they are embedded: the thread takes what is queued, not 64 (a request's batch size) at a time.
        for (var i = 0; i < 2_000; i++)
        {
            service.Enqueue(target, Guid.NewGuid(), $"memory number {i}");
        }

        await service.FlushAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Multiple(() =>
        {
            Assert.That(sink.Batches.Sum(b => b.Count), Is.EqualTo(2_000));
            Assert.That(sink.Batches.All(b => !b.OnThreadPool), Is.True, "applied on the embedder's own thread");
            Assert.That(sink.Batches.Max(b => b.Count), Is.GreaterThan(new EmbeddingOptions().BatchSize));
            Assert.That(target.Pin.IsHeld, Is.False, "every job let go of its agent");
        });

        // Disposing ends the thread (disposal waits for the loop).
        await service.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed class Target : IEmbeddingTarget
    {
        public WritePin Pin { get; } = new();

        public bool IsRetired => false;
    }

    private sealed class RecordingSink : IEmbeddingSink
    {
        private readonly Lock _gate = new();

        public List<(int Count, bool OnThreadPool)> Batches { get; } = [];

        public void Apply(IReadOnlyList<EmbeddingJob> jobs, float[][] vectors, string modelId)
        {
            lock (_gate)
            {
                Batches.Add((jobs.Count, Thread.CurrentThread.IsThreadPoolThread));
            }
        }
    }
}
