using AgentMemory.Persistence;
using Microsoft.Extensions.Hosting;

namespace AgentMemory.Internal;

/// <summary>
/// The memory system's hosted face: starts the write-behind writer with the host and, on graceful shutdown, lets
/// pending embeddings finish and drains the queue before the host stops (bounded by the host's shutdown timeout).
/// Disposing without stopping drains too.
/// </summary>
internal sealed class MemorySystemWorker(PersistencePipeline pipeline, MemorySystem memory) : BackgroundService
{
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await memory.ShutdownAsync(cancellationToken).ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        pipeline.EnsureStarted();
    }
}
