using AgentMemory.Coherence;
using AgentMemory.Agents;
using AgentMemory.Consolidation;
using AgentMemory.Diagnostics;
using AgentMemory.Embeddings;
using AgentMemory.Learning;
using AgentMemory.Persistence;
using AgentMemory.Recall;
using AgentMemory.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMemory.Internal;

/// <summary>
/// The memory system's facade: validates at the door, finds the agent, and hands the change to the agent's mutator
/// (which applies it to the agent's replica and emits its change records), or the read to the replica. Recall,
/// learning and consolidation each live in their own component.
/// </summary>
internal sealed partial class MemorySystem : IMemorySystem, IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan DisposeDrainTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The most a shutdown waits for embeddings before the writer drains (the built-in generator needs milliseconds).</summary>
    private static readonly TimeSpan ShutdownEmbeddingWait = TimeSpan.FromSeconds(1);
    private readonly Lock _shutdownGate = new();
    private Task? _shutdown;

    private readonly AgentCache _cache;
    private readonly AgentMutator _mutator;
    private readonly PersistencePipeline _pipeline;
    private readonly EmbeddingService _embeddings;
    private readonly Recaller _recaller;
    private readonly OutcomeLearner _learner;
    private readonly Consolidator _consolidator;
    private readonly ChangeFeed _feed;
    private readonly AgentMemoryOptions _options;
    private readonly MemoryValidator _validator;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AgentMemoryInstruments _instruments;

    public MemorySystem(
        AgentCache cache,
        AgentMutator mutator,
        PersistencePipeline pipeline,
        EmbeddingService embeddings,
        Recaller recaller,
        OutcomeLearner learner,
        Consolidator consolidator,
        ChangeFeed feed,
        IOptions<AgentMemoryOptions> options,
        TimeProvider time,
        AgentMemoryInstruments instruments,
        ILoggerFactory? loggerFactory = null)
    {
        _cache = cache;
        _mutator = mutator;
        _pipeline = pipeline;
        _embeddings = embeddings;
        _recaller = recaller;
        _learner = learner;
        _consolidator = consolidator;
        _feed = feed;
        _options = options.Value;
        _validator = new MemoryValidator(_options);
        _time = time;
        _logger = Loggers.Create<MemorySystem>(loggerFactory);
        _instruments = instruments;
    }

    public IAgentMemory ForAgent(string agentId)
    {
        MemoryValidator.AgentId(agentId);
        return new AgentMemoryHandle(this, agentId);
    }

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        await _embeddings.FlushAsync(cancellationToken).ConfigureAwait(false);
        await _recaller.QueueDeferredAccessAsync(cancellationToken).ConfigureAwait(false);
        await _pipeline.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<int> LoadAgentAsync(string agentId, CancellationToken cancellationToken = default)
    {
        MemoryValidator.AgentId(agentId);
        var agent = await _cache.GetAsync(agentId, cancellationToken).ConfigureAwait(false);
        using (agent.EnterRead())
        {
            return agent.Count;
        }
    }

    public ValueTask<ConsolidationReport> ConsolidateAsync(string agentId, CancellationToken cancellationToken = default)
    {
        MemoryValidator.AgentId(agentId);
        return _consolidator.ConsolidateAsync(agentId, cancellationToken);
    }

    /// <summary>
    /// Stops accepting changes, lets queued embeddings finish (for a second at most), then drains the write-behind queue, until
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
        // Embeddings still being computed get a short wait, then the store gets the rest of the shutdown budget: a
        // memory saved without its embedding is embedded after the next start, a memory not saved is lost.
        using (var embeddingShare = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            embeddingShare.CancelAfter(ShutdownEmbeddingWait);
            try
            {
                await _embeddings.FlushAsync(embeddingShare.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        try
        {
            await _recaller.QueueDeferredAccessAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or InvalidOperationException)
        {
            // Out of time, or the queue was already closed: access statistics are the least valuable change to lose.
        }

        await _pipeline.StopAsync(cancellationToken).ConfigureAwait(false);
        await _feed.DisposeAsync().ConfigureAwait(false);
    }

    private DateTimeOffset Now() => TimeRules.Normalize(_time.GetUtcNow());
}
