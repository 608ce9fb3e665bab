using System.Collections.Concurrent;
using System.Diagnostics;
using AgentMemory.Diagnostics;
using AgentMemory.Embeddings;
using AgentMemory.Hosting;
using AgentMemory.Retrieval;
using AgentMemory.Storage;
using AgentMemory.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMemory.Agents;

/// <summary>
/// The agents held in process. The first call for an agent loads all its memories from the store; concurrent first
/// calls share one load; a failed load is thrown to every waiter and retried by the next call. Beyond the configured
/// number of agents, the least recently used idle agents (nothing queued for them) are evicted.
/// </summary>
internal sealed class AgentCache
{
    private readonly ConcurrentDictionary<string, Task<AgentReplica>> _agents = new(StringComparer.Ordinal);
    private readonly IMemoryStore _store;
    private readonly StoreInitializer _initializer;
    private readonly EmbeddingService _embeddings;
    private readonly ILogger _logger;
    private readonly AgentMemoryInstruments _instruments;
    private readonly int _maxAgents;
    private readonly Backoff _backoff;
    private readonly TimeProvider _time;
    private readonly Lock _evictionGate = new();

    private static readonly TimeSpan PredecessorPoll = TimeSpan.FromMilliseconds(5);

    /// <summary>Attempts of one load while the store reports transient failures (a dropped connection, a timeout).</summary>
    private const int LoadAttempts = 3;

    public AgentCache(
        IMemoryStore store,
        StoreInitializer initializer,
        EmbeddingService embeddings,
        IOptions<AgentMemoryOptions> options,
        AgentMemoryInstruments instruments,
        TimeProvider time,
        ILoggerFactory? loggerFactory = null)
    {
        _time = time;
        _backoff = Backoff.From(options.Value.Persistence);
        _store = store;
        _initializer = initializer;
        _embeddings = embeddings;
        _logger = Loggers.Create<AgentCache>(loggerFactory);
        _instruments = instruments;
        _maxAgents = options.Value.MaxCachedAgents;
        instruments.ObserveCachedAgents(() => _agents.Count);
    }

    public int Count => _agents.Count;

    /// <summary>How many loads were started: the change feed reads again when one started while it read.</summary>
    public long LoadsStarted => Interlocked.Read(ref _loadsStarted);

    private long _loadsStarted;

    /// <summary>Replicas retired for a reload, whose unwritten changes the next load waits for.</summary>
    private readonly ConcurrentDictionary<string, AgentReplica> _predecessors = new(StringComparer.Ordinal);

    /// <summary>Called before the first agent is loaded (the change feed takes its position then).</summary>
    public Func<ValueTask>? BeforeLoad { get; set; }

    /// <summary>The ids of the agents held or being loaded (a snapshot).</summary>
    public List<string> HeldIds() => [.. _agents.Keys];

    /// <summary>The agent's replica when it is loaded and current; <see langword="null"/> while it loads or when it is not held.</summary>
    public AgentReplica? TryGetLoaded(string agentId) =>
        _agents.TryGetValue(agentId, out var load) && load.IsCompletedSuccessfully && !load.Result.IsRetired ? load.Result : null;

    /// <summary>Whether the agent is being loaded now.</summary>
    public bool IsLoading(string agentId) => _agents.TryGetValue(agentId, out var load) && !load.IsCompleted;

    /// <summary>
    /// Drops the agent's replica (another host erased the agent, or this host fell too far behind to catch up), so the
    /// next call loads it anew; that load first waits until the dropped replica's unwritten changes are written.
    /// </summary>
    public void Invalidate(string agentId)
    {
        if (!_agents.TryGetValue(agentId, out var load) || !load.IsCompletedSuccessfully)
        {
            return;
        }

        var agent = load.Result;
        if (!Retire(agent, unlessPinned: false))
        {
            return;
        }

        if (agent.Pin.IsHeld)
        {
            _predecessors[agentId] = agent;
        }

        _agents.TryRemove(new KeyValuePair<string, Task<AgentReplica>>(agentId, load));
        Log.AgentReloading(_logger, agentId);
    }

    /// <summary>Drops every replica (see <see cref="Invalidate"/>).</summary>
    public void InvalidateAll()
    {
        foreach (var agentId in HeldIds())
        {
            Invalidate(agentId);
        }
    }

    /// <summary>The replicas loaded now (a snapshot).</summary>
    public IEnumerable<AgentReplica> Cached()
    {
        foreach (var load in _agents.Values)
        {
            if (load.IsCompletedSuccessfully && !load.Result.IsRetired)
            {
                yield return load.Result;
            }
        }
    }

    /// <summary>The agent's replica, loading it when it is not in process.</summary>
    public async ValueTask<AgentReplica> GetAsync(string agentId, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!_agents.TryGetValue(agentId, out var load))
            {
                var started = new TaskCompletionSource<AgentReplica>(TaskCreationOptions.RunContinuationsAsynchronously);
                if (!_agents.TryAdd(agentId, started.Task))
                {
                    continue;
                }

                Interlocked.Increment(ref _loadsStarted);

                // The load belongs to no single caller: one caller giving up must not fail the others.
                _ = LoadAsync(agentId, started);
                load = started.Task;
            }

            var agent = load.IsCompletedSuccessfully ? load.Result : await load.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (agent.IsRetired)
            {
                _agents.TryRemove(new KeyValuePair<string, Task<AgentReplica>>(agentId, load));
                continue;
            }

            agent.Touch();
            return agent;
        }
    }

    /// <summary>Memories read before their words are computed and they are added to the agent, beside the rest of the read.</summary>
    private const int LoadChunk = 512;

    /// <summary>
    /// Reads the agent's state and memories into a new replica, starting over (with the writer's backoff) when the store
    /// fails transiently part way, so a connection dropped or a statement cancelled during a load costs a retry, not
    /// a failed call; the last failure is thrown. Memories are taken in chunks: each chunk's words are computed on the
    /// thread pool and the chunk is added to the agent (in read order) while the rest is still being read.
    /// </summary>
    private async Task<(AgentReplica Agent, List<MemoryEntry> ToEmbed)> ReadWithRetriesAsync(string agentId)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _initializer.EnsureInitializedAsync(CancellationToken.None).ConfigureAwait(false);
                var state = await _store.GetAgentAsync(agentId, CancellationToken.None).ConfigureAwait(false);
                var agent = new AgentReplica(agentId, _embeddings.ModelId) { State = state };
                var toEmbed = new List<MemoryEntry>();
                var filling = Task.CompletedTask;
                var chunk = new List<MemoryEntry>(LoadChunk);
                try
                {
                    await foreach (var entry in _store.LoadMemoriesAsync(agentId, CancellationToken.None).ConfigureAwait(false))
                    {
                        if (!string.Equals(entry.AgentId, agentId, StringComparison.Ordinal))
                        {
                            throw new InvalidOperationException($"The store returned a memory of agent '{entry.AgentId}' when loading agent '{agentId}'.");
                        }

                        chunk.Add(entry);
                        if (chunk.Count == LoadChunk)
                        {
                            filling = FillAsync(filling, [.. chunk], agent, toEmbed);
                            chunk.Clear();
                        }
                    }

                    filling = FillAsync(filling, [.. chunk], agent, toEmbed);
                }
                finally
                {
                    // A failed read still waits for the chunks in flight, so nothing touches an abandoned agent later.
                    await filling.ConfigureAwait(false);
                }

                return (agent, toEmbed);
            }
            catch (MemoryStoreException ex) when (ex.IsTransient && attempt < LoadAttempts)
            {
                _instruments.AgentLoadFailures.Add(1, new KeyValuePair<string, object?>("retried", true));
                var delay = _backoff.Delay(attempt);
                Log.AgentLoadRetry(_logger, agentId, attempt, delay.TotalMilliseconds, ex);
                await Task.Delay(delay, _time).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Computes a chunk's words on the thread pool now, and adds the chunk to the agent once the chunks before it are in.</summary>
    private static async Task FillAsync(Task previous, MemoryEntry[] entries, AgentReplica agent, List<MemoryEntry> toEmbed)
    {
        var prepared = Task.Run(() => Array.ConvertAll(entries, static e => (Identity: ContentIdentity.Hash(e.Content), Terms: TermCounts.ForMemory(e.Content, e.Tags))));
        await previous.ConfigureAwait(false);
        var words = await prepared.ConfigureAwait(false);
        using (agent.EnterWrite())
        {
            for (var i = 0; i < entries.Length; i++)
            {
                agent.Add(entries[i], words[i].Identity, words[i].Terms);
                if (!agent.HasUsableEmbedding(entries[i]))
                {
                    toEmbed.Add(entries[i]);
                }
            }
        }
    }

    /// <summary>
    /// Puts a fresh, empty replica in place of the agent's (after the caller retired the old one under its lock), so
    /// that nothing is loaded from the store while the agent's deletion is still queued.
    /// </summary>
    public AgentReplica ReplaceWithEmpty(string agentId)
    {
        var agent = new AgentReplica(agentId, _embeddings.ModelId);
        _agents[agentId] = Task.FromResult(agent);
        return agent;
    }

    private async Task LoadAsync(string agentId, TaskCompletionSource<AgentReplica> completion)
    {
        try
        {
            var agent = await LoadAgentAsync(agentId).ConfigureAwait(false);
            completion.SetResult(agent);
            _instruments.AgentsLoaded.Add(1);
            EvictIfNeeded(agentId);
        }
        catch (Exception ex)
        {
            _agents.TryRemove(new KeyValuePair<string, Task<AgentReplica>>(agentId, completion.Task));
            _instruments.AgentLoadFailures.Add(1);
            Log.AgentLoadFailed(_logger, agentId, ex);
            completion.SetException(ex);
        }
    }

    private async Task<AgentReplica> LoadAgentAsync(string agentId)
    {
        var stopwatch = Stopwatch.StartNew();
        if (BeforeLoad is { } beforeLoad)
        {
            await beforeLoad().ConfigureAwait(false);
        }

        if (_predecessors.TryRemove(agentId, out var predecessor))
        {
            // What the dropped replica changed is read back from the store, so it must be there first.
            while (predecessor.Pin.IsHeld)
            {
                await Task.Delay(PredecessorPoll, _time).ConfigureAwait(false);
            }
        }

        var (agent, toEmbed) = await ReadWithRetriesAsync(agentId).ConfigureAwait(false);
        foreach (var entry in toEmbed)
        {
            _embeddings.Enqueue(agent, entry.Id, entry.Content);
        }

        using (agent.EnterRead())
        {
            Log.AgentLoaded(_logger, agentId, agent.Count, stopwatch.Elapsed.TotalMilliseconds);
        }

        return agent;
    }

    private void EvictIfNeeded(string justLoaded)
    {
        if (_agents.Count <= _maxAgents || !_evictionGate.TryEnter())
        {
            return;
        }

        try
        {
            // Evict down to 90% of the cap so that a host at the cap does not sort on every load.
            var target = Math.Max(1, (int)(_maxAgents * 0.9));
            var candidates = _agents
                .Where(p => p.Key != justLoaded && p.Value.IsCompletedSuccessfully)
                .Select(p => (p.Key, Load: p.Value, Agent: p.Value.Result))
                .OrderBy(static c => c.Agent.LastUsed)
                .ToList();
            foreach (var (agentId, load, agent) in candidates)
            {
                if (_agents.Count <= target)
                {
                    break;
                }

                if (!agent.Pin.IsHeld && Retire(agent, unlessPinned: true))
                {
                    _agents.TryRemove(new KeyValuePair<string, Task<AgentReplica>>(agentId, load));
                    _instruments.AgentsEvicted.Add(1);
                    Log.AgentEvicted(_logger, agentId);
                }
            }
        }
        finally
        {
            _evictionGate.Exit();
        }
    }

    /// <summary>
    /// Retires the replica under its write lock; <see langword="false"/> when it was retired already, or (with
    /// <paramref name="unlessPinned"/>) when something of it is not written yet.
    /// </summary>
    private static bool Retire(AgentReplica agent, bool unlessPinned)
    {
        using (agent.EnterWrite())
        {
            // The pin is checked under the lock: a change emits its records while holding it.
            if ((unlessPinned && agent.Pin.IsHeld) || agent.IsRetired)
            {
                return false;
            }

            agent.IsRetired = true;
            return true;
        }
    }
}
