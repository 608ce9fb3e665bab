using AgentMemory.Agents;
using AgentMemory.Diagnostics;
using AgentMemory.Hosting;
using AgentMemory.Persistence;
using AgentMemory.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMemory.Coherence;

/// <summary>
/// Keeps this host's replicas in step with what other hosts commit to the shared store: a loop that waits for a
/// notification (or the poll interval), reads the store's change feed from its position for the agents held here,
/// and applies each page to the replicas. The position only moves past a change once it is applied, so a failed
/// read, a lost notification or a restart of the loop costs a repeated read, never a missed change.
/// </summary>
internal sealed class ChangeFeed : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);

    private readonly IMemoryStore _store;
    private readonly StoreInitializer _initializer;
    private readonly AgentCache _cache;
    private readonly RemoteChanges _remote;
    private readonly WriteQueue _queue;
    private readonly Guid _reader;
    private readonly ChangeFeedOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SupervisedLoop _loop;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _startGate = new();
    private Task? _positioned;
    private TaskCompletionSource _wake = NewWake();
    private long _position;

    /// <summary>Memories whose change waits for this host's own write to them, fetched again by the first read after that write.</summary>
    private HashSet<MemoryKey> _refetch = [];
    private bool _retryAfterWrite;
    private long _lastCaughtUp;
    private long _lastPruned;
    private int _disposed;

    public ChangeFeed(
        IMemoryStore store,
        StoreInitializer initializer,
        AgentCache cache,
        RemoteChanges remote,
        WriteQueue queue,
        WriterIdentity writer,
        PersistencePipeline pipeline,
        IOptions<AgentMemoryOptions> options,
        TimeProvider time,
        ILoggerFactory? loggerFactory = null)
    {
        _store = store;
        _initializer = initializer;
        _cache = cache;
        _remote = remote;
        _queue = queue;
        _reader = writer.Id;
        _options = options.Value.ChangeFeed;
        _time = time;
        _logger = Loggers.Create<ChangeFeed>(loggerFactory);
        _loop = new SupervisedLoop("change feed", RunAsync, Backoff.From(options.Value.Persistence), time, _logger);
        _lastPruned = time.GetTimestamp();
        if (_options.Enabled)
        {
            cache.BeforeLoad = EnsureStartedAsync;
            pipeline.Written = OnWritten;
        }
    }

    /// <summary>Whether the feed is running (it starts with the first agent loaded).</summary>
    public bool IsRunning => _positioned is { IsCompletedSuccessfully: true };

    /// <summary>How long ago the feed last read the store successfully; <see langword="null"/> before the first read.</summary>
    public TimeSpan? SinceLastRead
    {
        get
        {
            var last = Interlocked.Read(ref _lastCaughtUp);
            return last == 0 ? null : _time.GetElapsedTime(last);
        }
    }

    /// <summary>
    /// Takes the feed's position (the first time) and starts the loop: before an agent is loaded, so that every change
    /// committed after the load's read is at or after the position.
    /// </summary>
    public ValueTask EnsureStartedAsync()
    {
        Task positioned;
        lock (_startGate)
        {
            if (_positioned is null || _positioned.IsFaulted)
            {
                _positioned = PositionAsync();
            }

            positioned = _positioned;
        }

        return new ValueTask(positioned);
    }

    /// <summary>Reads and applies what other hosts committed up to now (also used before consolidating an agent).</summary>
    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        await EnsureStartedAsync().ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (await ReadOnceAsync(cancellationToken).ConfigureAwait(false))
            {
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _loop.AbortAsync().ConfigureAwait(false);
        _loop.Dispose();
        _gate.Dispose();
    }

    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    private async Task PositionAsync()
    {
        await _initializer.EnsureInitializedAsync(CancellationToken.None).ConfigureAwait(false);
        var page = await _store.ReadChangesAsync(new MemoryChangeQuery { From = null, Reader = _reader }).ConfigureAwait(false);
        _position = page.Next;
        _loop.EnsureStarted();
    }

    /// <summary>After this host's own write: a change that waited for it can be applied now.</summary>
    private void OnWritten()
    {
        if (Volatile.Read(ref _retryAfterWrite))
        {
            Volatile.Read(ref _wake).TrySetResult();
        }
    }

    private async Task RunAsync(CancellationToken abort)
    {
        var more = false;
        while (!abort.IsCancellationRequested)
        {
            var wake = Volatile.Read(ref _wake);
            if (!more)
            {
                await WaitAsync(wake, abort).ConfigureAwait(false);
            }

            await _gate.WaitAsync(abort).ConfigureAwait(false);
            try
            {
                // A page that ended early (many changes at once) is followed at once by the next one.
                more = await ReadOnceAsync(abort).ConfigureAwait(false);
            }
            finally
            {
                _gate.Release();
            }

            await PruneIfDueAsync(abort).ConfigureAwait(false);
        }
    }

    /// <summary>Waits for a notification from the store, this host's own write (when a change waits for it), or the poll interval.</summary>
    private async Task WaitAsync(TaskCompletionSource wake, CancellationToken abort)
    {
        using (var waiting = CancellationTokenSource.CreateLinkedTokenSource(abort))
        {
            var notified = _store.WaitForChangesAsync(_reader, _options.PollInterval, waiting.Token);
            await Task.WhenAny(notified, wake.Task).ConfigureAwait(false);
            await waiting.CancelAsync().ConfigureAwait(false);
            try
            {
                await notified.ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!abort.IsCancellationRequested)
            {
            }
        }

        abort.ThrowIfCancellationRequested();
        if (wake.Task.IsCompleted)
        {
            Interlocked.CompareExchange(ref _wake, NewWake(), wake);
        }
    }

    /// <summary>One read of the feed and its application; returns whether more changes wait. The caller holds the gate.</summary>
    private async Task<bool> ReadOnceAsync(CancellationToken cancellationToken)
    {
        var from = _position;
        var loadsBefore = _cache.LoadsStarted;
        var held = _cache.HeldIds();
        var refetch = _refetch;
        var waiting = new HashSet<MemoryKey>();

        // What this host wrote before the read is in the rows read; a change written later may not be.
        var writtenBelow = _queue.WrittenBelow;
        await RefetchStatesAsync(refetch, writtenBelow, waiting, cancellationToken).ConfigureAwait(false);
        var page = await _store.ReadChangesAsync(
            new MemoryChangeQuery { From = from, AgentIds = held, Reader = _reader, Refetch = StillToFetch(refetch, writtenBelow, waiting) },
            cancellationToken).ConfigureAwait(false);
        Interlocked.Exchange(ref _lastCaughtUp, _time.GetTimestamp());
        if (page.MustReload)
        {
            Log.ChangeFeedReloadAll(_logger, from);
            _cache.InvalidateAll();
            _refetch = [];
            _position = page.Next;
            return false;
        }

        var next = page.Next;

        foreach (var agentId in page.ErasedAgents)
        {
            if (_cache.IsLoading(agentId))
            {
                // The load may have read before the erasure: read it again once the load is done.
                next = Math.Min(next, from);
            }
            else
            {
                _cache.Invalidate(agentId);
            }
        }

        foreach (var agent in Group(page))
        {
            if (page.ErasedAgents.Contains(agent.AgentId, StringComparer.Ordinal))
            {
                continue;
            }

            if (_cache.IsLoading(agent.AgentId))
            {
                // The load may have read before these changes; they are read again once it is done.
                next = Math.Min(next, from);
                continue;
            }

            if (_cache.TryGetLoaded(agent.AgentId) is { } replica)
            {
                _remote.Apply(replica, agent.Memories, agent.Accesses, agent.Deletes, agent.State, writtenBelow, waiting);
            }
        }

        if (_cache.LoadsStarted != loadsBefore)
        {
            // An agent whose load started after the list was taken may have read before some of these changes.
            next = Math.Min(next, from);
        }

        _refetch = waiting;
        Volatile.Write(ref _retryAfterWrite, waiting.Count > 0);
        _position = next;
        if (page.Memories.Count + page.Accesses.Count + page.Deletes.Count + page.ErasedAgents.Count > 0)
        {
            Log.ChangesApplied(_logger, page.Memories.Count, page.Accesses.Count, page.Deletes.Count, page.ErasedAgents.Count, waiting.Count);
        }

        return page.HasMore && next == page.Next;
    }

    /// <summary>
    /// The waiting memories to fetch again: those whose own change is written by now. The others stay in
    /// <paramref name="waiting"/> unread — a row read while this host's change of it is unwritten could not be applied,
    /// and a memory this host keeps changing under a steady load is nearly always so.
    /// </summary>
    private List<MemoryKey> StillToFetch(HashSet<MemoryKey> refetch, long writtenBelow, HashSet<MemoryKey> waiting)
    {
        var fetch = new List<MemoryKey>();
        foreach (var group in refetch.Where(static k => k.MemoryId != Guid.Empty).GroupBy(static k => k.AgentId, StringComparer.Ordinal))
        {
            if (_cache.TryGetLoaded(group.Key) is not { } replica)
            {
                // Not held any more: its changes are read with its next load.
                continue;
            }

            using (replica.EnterRead())
            {
                foreach (var key in group)
                {
                    (replica.WaitsForOwnWrite(key.MemoryId, writtenBelow) ? (ICollection<MemoryKey>)waiting : fetch).Add(key);
                }
            }
        }

        return fetch;
    }

    /// <summary>Reads again the states of agents whose state waited for this host's own change of it.</summary>
    private async Task RefetchStatesAsync(HashSet<MemoryKey> refetch, long writtenBelow, HashSet<MemoryKey> waiting, CancellationToken cancellationToken)
    {
        foreach (var key in refetch)
        {
            if (key.MemoryId != Guid.Empty || _cache.TryGetLoaded(key.AgentId) is not { } replica)
            {
                continue;
            }

            if (await _store.GetAgentAsync(key.AgentId, cancellationToken).ConfigureAwait(false) is { } state)
            {
                using (replica.EnterWrite())
                {
                    if (!replica.IsRetired && !RemoteChanges.ApplyState(replica, state, writtenBelow))
                    {
                        waiting.Add(key);
                    }
                }
            }
        }
    }

    private async Task PruneIfDueAsync(CancellationToken cancellationToken)
    {
        if (_time.GetElapsedTime(_lastPruned) < PruneEvery)
        {
            return;
        }

        _lastPruned = _time.GetTimestamp();
        var before = _time.GetUtcNow() - _options.TombstoneRetention;
        var pruned = await _store.PruneAsync(before, cancellationToken).ConfigureAwait(false);
        Log.TombstonesPruned(_logger, pruned, before);
    }

    private static List<AgentChanges> Group(MemoryChangePage page)
    {
        var byAgent = new Dictionary<string, AgentChanges>(StringComparer.Ordinal);
        AgentChanges For(string agentId)
        {
            if (!byAgent.TryGetValue(agentId, out var changes))
            {
                changes = new AgentChanges(agentId);
                byAgent.Add(agentId, changes);
            }

            return changes;
        }

        foreach (var change in page.Memories)
        {
            For(change.Entry.AgentId).Memories.Add(change);
        }

        foreach (var totals in page.Accesses)
        {
            For(totals.AgentId).Accesses.Add(totals);
        }

        foreach (var key in page.Deletes)
        {
            For(key.AgentId).Deletes.Add(key.MemoryId);
        }

        foreach (var state in page.Agents)
        {
            For(state.AgentId).State = state;
        }

        return [.. byAgent.Values];
    }

    private static TaskCompletionSource NewWake() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class AgentChanges(string agentId)
    {
        public string AgentId { get; } = agentId;

        public List<MemoryChange> Memories { get; } = [];

        public List<MemoryAccessTotals> Accesses { get; } = [];

        public List<Guid> Deletes { get; } = [];

        public AgentState? State { get; set; }
    }
}
