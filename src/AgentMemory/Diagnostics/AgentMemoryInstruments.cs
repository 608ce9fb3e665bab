using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace AgentMemory.Diagnostics;

/// <summary>
/// The library's <see cref="Meter"/> and <see cref="ActivitySource"/>, both named <c>AgentMemory</c>. The meter comes
/// from the host's <see cref="IMeterFactory"/> when there is one.
/// </summary>
internal sealed class AgentMemoryInstruments : IDisposable
{
    public const string Name = "AgentMemory";

    public static readonly ActivitySource ActivitySource = new(Name, typeof(AgentMemoryInstruments).Assembly.GetName().Version?.ToString());

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private Func<long>? _queueDepth;
    private Func<long>? _cachedAgents;

    public AgentMemoryInstruments(IMeterFactory? meterFactory = null)
    {
        var options = new MeterOptions(Name) { Version = typeof(AgentMemoryInstruments).Assembly.GetName().Version?.ToString() };
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(options) ?? new Meter(options);

        Remembered = _meter.CreateCounter<long>("agentmemory.memories.remembered", "{memory}", "Memories remembered (new ones; reinforcements excluded).");
        Reinforced = _meter.CreateCounter<long>("agentmemory.memories.reinforced", "{memory}", "Remembers of content an agent already had, which reinforced the existing memory.");
        Forgotten = _meter.CreateCounter<long>("agentmemory.memories.forgotten", "{memory}", "Memories forgotten through the API or by consolidation.");
        Recalls = _meter.CreateCounter<long>("agentmemory.recall.count", "{recall}", "Recalls performed.");
        RecallDuration = _meter.CreateHistogram<double>("agentmemory.recall.duration", "ms", "Time to score and rank one recall.");
        AgentsLoaded = _meter.CreateCounter<long>("agentmemory.agents.loaded", "{agent}", "Agents loaded from the store.");
        AgentLoadFailures = _meter.CreateCounter<long>("agentmemory.agents.load_failures", "{failure}", "Failed agent loads (retried by the next call).");
        AgentsEvicted = _meter.CreateCounter<long>("agentmemory.agents.evicted", "{agent}", "Idle agents evicted from the in-process cache.");
        Batches = _meter.CreateCounter<long>("agentmemory.persistence.batches", "{batch}", "Batches committed by the background writer.");
        Rows = _meter.CreateCounter<long>("agentmemory.persistence.rows", "{change}", "Coalesced changes committed by the background writer.");
        BatchDuration = _meter.CreateHistogram<double>("agentmemory.persistence.batch.duration", "ms", "Time to commit one batch.");
        Failures = _meter.CreateCounter<long>("agentmemory.persistence.failures", "{failure}", "Failed store writes (tag transient=true|false).");
        Retries = _meter.CreateCounter<long>("agentmemory.persistence.retries", "{retry}", "Retries of a batch after a transient failure.");
        Rejected = _meter.CreateCounter<long>("agentmemory.persistence.rejected", "{change}", "Changes the store refused; isolated, logged and dropped so the rest could be written.");
        AccessUpdatesDeferred = _meter.CreateCounter<long>("agentmemory.persistence.access_updates_deferred", "{change}", "Access-statistics updates held back because the queue was full; written with a later recall or flush.");
        EmbeddingFailures = _meter.CreateCounter<long>("agentmemory.embeddings.failures", "{failure}", "Failed embedding generator calls (recall falls back to lexical relevance).");
        Embedded = _meter.CreateCounter<long>("agentmemory.embeddings.generated", "{memory}", "Memories embedded in the background.");
        Consolidations = _meter.CreateCounter<long>("agentmemory.consolidation.runs", "{run}", "Consolidation runs of one agent that completed.");
        ConsolidationDuration = _meter.CreateHistogram<double>("agentmemory.consolidation.duration", "ms", "Time of one agent's consolidation run.");
        ConsolidationChanges = _meter.CreateCounter<long>("agentmemory.consolidation.changes", "{memory}", "Memories changed by consolidation (tag kind=expired|working_promoted|working_dropped|merged|promoted|forgotten).");
        _meter.CreateObservableGauge("agentmemory.persistence.queue.depth", () => _queueDepth?.Invoke() ?? 0, "{change}", "Changes queued and not yet written.");
        _meter.CreateObservableGauge("agentmemory.agents.cached", () => _cachedAgents?.Invoke() ?? 0, "{agent}", "Agents held in process.");
    }

    public Counter<long> Remembered { get; }

    public Counter<long> Reinforced { get; }

    public Counter<long> Forgotten { get; }

    public Counter<long> Recalls { get; }

    public Histogram<double> RecallDuration { get; }

    public Counter<long> AgentsLoaded { get; }

    public Counter<long> AgentLoadFailures { get; }

    public Counter<long> AgentsEvicted { get; }

    public Counter<long> Batches { get; }

    public Counter<long> Rows { get; }

    public Histogram<double> BatchDuration { get; }

    public Counter<long> Failures { get; }

    public Counter<long> Retries { get; }

    public Counter<long> Rejected { get; }

    public Counter<long> AccessUpdatesDeferred { get; }

    public Counter<long> EmbeddingFailures { get; }

    public Counter<long> Embedded { get; }

    public Counter<long> Consolidations { get; }

    public Histogram<double> ConsolidationDuration { get; }

    public Counter<long> ConsolidationChanges { get; }

    public Meter Meter => _meter;

    public void ObserveQueueDepth(Func<long> depth) => _queueDepth = depth;

    public void ObserveCachedAgents(Func<long> count) => _cachedAgents = count;

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
