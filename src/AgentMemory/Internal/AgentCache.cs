using System.Collections.Concurrent;
using System.Diagnostics;
using AgentMemory.Diagnostics;
using AgentMemory.Embeddings;
using AgentMemory.Retrieval;
using AgentMemory.Storage;
using AgentMemory.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMemory.Internal;

/// <summary>
/// The agents held in process. The first call for an agent loads all its memories from the store; concurrent first
/// calls share one load; a failed load is thrown to every waiter and retried by the next call. Beyond the configured
/// number of agents, the least recently used idle agents (nothing queued for them) are evicted.
/// </summary>
internal sealed class AgentCache
{
    private readonly ConcurrentDictionary<string, Task<AgentIndex>> _agents = new(StringComparer.Ordinal);
    private readonly IMemoryStore _store;
    private readonly StoreInitializer _initializer;
    private readonly EmbeddingService _embeddings;
    private readonly ILogger _logger;
    private readonly AgentMemoryInstruments _instruments;
    private readonly int _maxAgents;
    private readonly PersistenceOptions _retry;
    private readonly TimeProvider _time;
    private readonly Lock _evictionGate = new();

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
        _retry = options.Value.Persistence;
        _store = store;
        _initializer = initializer;
        _embeddings = embeddings;
        _logger = Loggers.Create<AgentCache>(loggerFactory);
        _instruments = instruments;
        _maxAgents = options.Value.MaxCachedAgents;
        instruments.ObserveCachedAgents(() => _agents.Count);
    }

    public int Count => _agents.Count;

    /// <summary>The indexes loaded now (a snapshot).</summary>
    public IEnumerable<AgentIndex> Cached()
    {
        foreach (var load in _agents.Values)
        {
            if (load.IsCompletedSuccessfully && !load.Result.IsRetired)
            {
                yield return load.Result;
            }
        }
    }

    /// <summary>The agent's index, loading it when it is not in process.</summary>
    public async ValueTask<AgentIndex> GetAsync(string agentId, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!_agents.TryGetValue(agentId, out var load))
            {
                var started = new TaskCompletionSource<AgentIndex>(TaskCreationOptions.RunContinuationsAsynchronously);
                if (!_agents.TryAdd(agentId, started.Task))
                {
                    continue;
                }

                // The load belongs to no single caller: one caller giving up must not fail the others.
                _ = LoadAsync(agentId, started);
                load = started.Task;
            }

            var index = load.IsCompletedSuccessfully ? load.Result : await load.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (index.IsRetired)
            {
                _agents.TryRemove(new KeyValuePair<string, Task<AgentIndex>>(agentId, load));
                continue;
            }

            index.Touch();
            return index;
        }
    }

    /// <summary>Memories read before their words are computed and they are added to the index, beside the rest of the read.</summary>
    private const int LoadChunk = 512;

    /// <summary>
    /// Reads the agent's state and memories into a new index, starting over (with the writer's backoff) when the store
    /// fails transiently part way, so a connection dropped or a statement cancelled during a load costs a retry, not
    /// a failed call; the last failure is thrown. Memories are taken in chunks: each chunk's words are computed on the
    /// thread pool and the chunk is added to the index (in read order) while the rest is still being read.
    /// </summary>
    private async Task<(AgentIndex Index, List<MemoryEntry> ToEmbed)> ReadWithRetriesAsync(string agentId)
    {
        var delay = _retry.InitialRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await _initializer.EnsureInitializedAsync(CancellationToken.None).ConfigureAwait(false);
                var state = await _store.GetAgentAsync(agentId, CancellationToken.None).ConfigureAwait(false);
                var index = new AgentIndex(agentId, _embeddings.ModelId) { State = state };
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
                            filling = FillAsync(filling, [.. chunk], index, toEmbed);
                            chunk.Clear();
                        }
                    }

                    filling = FillAsync(filling, [.. chunk], index, toEmbed);
                }
                finally
                {
                    // A failed read still waits for the chunks in flight, so nothing touches an abandoned index later.
                    await filling.ConfigureAwait(false);
                }

                return (index, toEmbed);
            }
            catch (MemoryStoreException ex) when (ex.IsTransient && attempt < LoadAttempts)
            {
                _instruments.AgentLoadFailures.Add(1, new KeyValuePair<string, object?>("retried", true));
                Log.AgentLoadRetry(_logger, agentId, attempt, delay.TotalMilliseconds, ex);
                await Task.Delay(delay, _time).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _retry.MaxRetryDelay.Ticks));
            }
        }
    }

    /// <summary>Computes a chunk's words on the thread pool now, and adds the chunk to the index once the chunks before it are in.</summary>
    private static async Task FillAsync(Task previous, MemoryEntry[] entries, AgentIndex index, List<MemoryEntry> toEmbed)
    {
        var prepared = Task.Run(() => Array.ConvertAll(entries, static e => (Identity: ContentIdentity.Hash(e.Content), Terms: TermCounts.ForMemory(e.Content, e.Tags))));
        await previous.ConfigureAwait(false);
        var words = await prepared.ConfigureAwait(false);
        using (index.EnterWrite())
        {
            for (var i = 0; i < entries.Length; i++)
            {
                index.Add(entries[i], words[i].Identity, words[i].Terms);
                if (!index.HasUsableEmbedding(entries[i]))
                {
                    toEmbed.Add(entries[i]);
                }
            }
        }
    }

    /// <summary>
    /// Puts a fresh, empty index in place of the agent's (after the caller retired the old one under its lock), so
    /// that nothing is loaded from the store while the agent's deletion is still queued.
    /// </summary>
    public AgentIndex ReplaceWithEmpty(string agentId)
    {
        var index = new AgentIndex(agentId, _embeddings.ModelId);
        _agents[agentId] = Task.FromResult(index);
        return index;
    }

    private async Task LoadAsync(string agentId, TaskCompletionSource<AgentIndex> completion)
    {
        try
        {
            var index = await LoadIndexAsync(agentId).ConfigureAwait(false);
            completion.SetResult(index);
            _instruments.AgentsLoaded.Add(1);
            EvictIfNeeded(agentId);
        }
        catch (Exception ex)
        {
            _agents.TryRemove(new KeyValuePair<string, Task<AgentIndex>>(agentId, completion.Task));
            _instruments.AgentLoadFailures.Add(1);
            Log.AgentLoadFailed(_logger, agentId, ex);
            completion.SetException(ex);
        }
    }

    private async Task<AgentIndex> LoadIndexAsync(string agentId)
    {
        var stopwatch = Stopwatch.StartNew();
        var (index, toEmbed) = await ReadWithRetriesAsync(agentId).ConfigureAwait(false);
        foreach (var entry in toEmbed)
        {
            _embeddings.Enqueue(index, entry.Id, entry.Content);
        }

        using (index.EnterRead())
        {
            Log.AgentLoaded(_logger, agentId, index.Count, stopwatch.Elapsed.TotalMilliseconds);
        }

        return index;
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
                .Select(p => (p.Key, Load: p.Value, Index: p.Value.Result))
                .OrderBy(static c => c.Index.LastUsed)
                .ToList();
            foreach (var (agentId, load, index) in candidates)
            {
                if (_agents.Count <= target)
                {
                    break;
                }

                if (TryRetire(index))
                {
                    _agents.TryRemove(new KeyValuePair<string, Task<AgentIndex>>(agentId, load));
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

    private static bool TryRetire(AgentIndex index)
    {
        if (index.PendingWrites > 0)
        {
            return false;
        }

        using (index.EnterWrite())
        {
            // Checked again under the lock: a writer enqueues while holding it.
            if (index.PendingWrites > 0 || index.IsRetired)
            {
                return false;
            }

            index.IsRetired = true;
            return true;
        }
    }
}
