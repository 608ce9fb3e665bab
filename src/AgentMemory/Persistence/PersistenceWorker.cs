using AgentMemory.Internal;
using Microsoft.Extensions.Hosting;

namespace AgentMemory.Persistence;

/// <summary>
/// The hosted face of the write-behind writer: starts it with the host and, on graceful shutdown, drains the queue
/// before the host stops (bounded by the host's shutdown timeout). Disposing without stopping drains too.
/// </summary>
internal sealed class PersistenceWorker(PersistencePipeline pipeline, MemorySystem memory) : BackgroundService
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
