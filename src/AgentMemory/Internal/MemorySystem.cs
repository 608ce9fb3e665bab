using AgentMemory.Consolidation;
using AgentMemory.Diagnostics;
using AgentMemory.Embeddings;
using AgentMemory.Persistence;
using AgentMemory.Retrieval;
using AgentMemory.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMemory.Internal;

/// <summary>
/// The memory system: validates at the door, keeps each agent's memories in its in-process index (loaded on first
/// use), and queues every change for the background writer while the agent's write lock is held.
/// </summary>
internal sealed partial class MemorySystem : IMemorySystem, IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan DisposeDrainTimeout = TimeSpan.FromSeconds(30);
    private readonly Lock _shutdownGate = new();
    private Task? _shutdown;

    private readonly AgentCache _cache;
    private readonly WriteQueue _queue;
    private readonly PersistencePipeline _pipeline;
    private readonly EmbeddingService _embeddings;
    private readonly AgentMemoryOptions _options;
    private readonly MemoryValidator _validator;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AgentMemoryInstruments _instruments;
    private readonly bool _writeThrough;
    private readonly IConsolidationLock _consolidationLock;
    private readonly Generalizer _generalizer;

    public MemorySystem(
        AgentCache cache,
        WriteQueue queue,
        PersistencePipeline pipeline,
        EmbeddingService embeddings,
        IOptions<AgentMemoryOptions> options,
        TimeProvider time,
        AgentMemoryInstruments instruments,
        IConsolidationLock consolidationLock,
        Generalizer generalizer,
        ILoggerFactory? loggerFactory = null)
    {
        _cache = cache;
        _queue = queue;
        _pipeline = pipeline;
        _embeddings = embeddings;
        _options = options.Value;
        _validator = new MemoryValidator(_options);
        _time = time;
        _logger = Loggers.Create<MemorySystem>(loggerFactory);
        _instruments = instruments;
        _writeThrough = _options.Persistence.Durability == Durability.WriteThrough;
        _consolidationLock = consolidationLock;
        _generalizer = generalizer;
        embeddings.Apply = ApplyEmbeddings;
    }

    public IAgentMemory ForAgent(string agentId)
    {
        MemoryValidator.AgentId(agentId);
        return new AgentMemoryHandle(this, agentId);
    }

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _embeddings.FlushAsync(cancellationToken).ConfigureAwait(false);
        await QueueDeferredAccessAsync(cancellationToken).ConfigureAwait(false);
        await _pipeline.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<int> LoadAgentAsync(string agentId, CancellationToken cancellationToken = default)
    {
        MemoryValidator.AgentId(agentId);
        var index = await _cache.GetAsync(agentId, cancellationToken).ConfigureAwait(false);
        using (index.EnterRead())
        {
            return index.Count;
        }
    }

    /// <summary>
    /// Stops accepting changes, lets queued embeddings finish, then drains the write-behind queue, until
    /// <paramref name="cancellationToken"/> gives up. Called by the hosted worker on graceful shutdown and on dispose.
    /// </summary>
    public Task ShutdownAsync(CancellationToken cancellationToken)
    {
        lock (_shutdownGate)
        {
            // The writer itself gives up when the first caller's token fires (and reports what it could not write).
            return _shutdown ??= ShutdownCoreAsync(cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(DisposeDrainTimeout);
        try
        {
            await ShutdownAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The pipeline reported what it could not write.
        }
    }

    public void Dispose()
    {
        // A host disposed without being stopped still drains, or acknowledged memories would be lost.
        Task.Run(async () => await DisposeAsync().ConfigureAwait(false)).GetAwaiter().GetResult();
    }

    private async Task ShutdownCoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _embeddings.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        try
        {
            await QueueDeferredAccessAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
        {
            // Out of time, or the queue was already closed: access statistics are the least valuable change to lose.
        }

        await _pipeline.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private DateTimeOffset Now() => TimeRules.Normalize(_time.GetUtcNow());

    /// <summary>Runs one mutation of one agent (see the overload with a state).</summary>
    private ValueTask<T> MutateAsync<T>(string agentId, int reserve, Func<Mutation, T> mutate, CancellationToken cancellationToken) =>
        MutateAsync(agentId, reserve, mutate, static (mutation, mutate) => mutate(mutation), cancellationToken);

    /// <summary>
    /// Runs one mutation of one agent: reserves queue room first (waiting or failing fast while nothing is changed
    /// yet), then applies <paramref name="mutate"/> under the agent's write lock, starts embeddings, and in
    /// write-through mode waits for the commit. <paramref name="state"/> is handed to <paramref name="mutate"/>, so a
    /// hot caller (a remember) allocates no closure.
    /// </summary>
    private async ValueTask<T> MutateAsync<TState, T>(string agentId, int reserve, TState state, Func<Mutation, TState, T> mutate, CancellationToken cancellationToken)
    {
        _pipeline.EnsureStarted();
        await _queue.ReserveAsync(reserve, cancellationToken).ConfigureAwait(false);
        var unused = reserve;
        try
        {
            while (true)
            {
                var index = await _cache.GetAsync(agentId, cancellationToken).ConfigureAwait(false);
                var mutation = new Mutation(_queue, index, reserve, _writeThrough);
                T result;
                using (index.EnterWrite())
                {
                    if (index.IsRetired)
                    {
                        continue;
                    }

                    result = mutate(mutation, state);
                }

                unused = mutation.UnusedReservations;
                for (var i = 0; i < mutation.EmbeddingCount; i++)
                {
                    var (id, content) = mutation.EmbeddingAt(i);
                    _embeddings.Enqueue(index, id, content);
                }

                await mutation.WhenDurable().WaitAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
        }
        finally
        {
            _queue.Release(unused);
        }
    }
}
