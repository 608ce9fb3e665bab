using System.Collections.Concurrent;
using AgentMemory.Storage;

namespace AgentMemory.Consolidation;

/// <summary>The consolidation lock of one process: a set of the agents being consolidated.</summary>
internal sealed class InProcessConsolidationLock : IConsolidationLock
{
    private readonly ConcurrentDictionary<string, Releaser> _held = new(StringComparer.Ordinal);

    public ValueTask<IAsyncDisposable?> TryAcquireAsync(string agentId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var releaser = new Releaser(this, agentId);
        return ValueTask.FromResult<IAsyncDisposable?>(_held.TryAdd(agentId, releaser) ? releaser : null);
    }

    private sealed class Releaser(InProcessConsolidationLock owner, string agentId) : IAsyncDisposable
    {
        private int _released;

        public ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                owner._held.TryRemove(new KeyValuePair<string, Releaser>(agentId, this));
            }

            return ValueTask.CompletedTask;
        }
    }
}
