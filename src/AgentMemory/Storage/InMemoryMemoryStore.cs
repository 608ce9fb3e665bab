using System.Runtime.CompilerServices;

namespace AgentMemory.Storage;

/// <summary>
/// A store in process memory: for tests, development and hosts that need no durability. Change sets apply
/// atomically under one lock; reads copy under it. It keeps the whole store contract, the change feed and the merge
/// rules included, so several memory systems sharing one instance behave like several hosts sharing one database.
/// Positions are a counter raised by every applied set, so commit order and position order are the same.
/// </summary>
/// <param name="time">The clock that dates tombstones; the system clock by default.</param>
public sealed class InMemoryMemoryStore(TimeProvider? time = null) : IMemoryStore
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<Guid, Row>> _memories = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, (AgentState State, long Revision, Guid Writer)> _agents = new(StringComparer.Ordinal);
    private readonly Dictionary<(string AgentId, Guid MemoryId), Tombstone> _tombstones = [];
    private readonly Dictionary<string, Tombstone> _erasures = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, long> _batches = [];
    private readonly ChangeWaiters _waiters = new(time);
    private long _revision = 1;
    private long _prunedBelow;

    /// <inheritdoc/>
    public bool NotificationsConnected => true;

    /// <inheritdoc/>
    public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task ApplyAsync(MemoryChangeSet changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (changes.Batch > 0)
            {
                if (_batches.TryGetValue(changes.Writer, out var last) && last >= changes.Batch)
                {
                    return Task.CompletedTask;
                }

                _batches[changes.Writer] = changes.Batch;
            }

            var revision = _revision++;
            var now = _time.GetUtcNow();
            var writer = changes.Writer;
            foreach (var agentId in changes.DeletedAgents)
            {
                _agents.Remove(agentId);
                _memories.Remove(agentId);
                _erasures[agentId] = new Tombstone(revision, writer, now);
            }

            foreach (var agent in changes.Agents)
            {
                var state = _agents.TryGetValue(agent.AgentId, out var existing)
                    ? agent with { CreatedAt = existing.State.CreatedAt, Counters = existing.State.Counters }
                    : agent with { Counters = new Dictionary<string, double>() };
                _agents[agent.AgentId] = (state, revision, writer);
            }

            if (changes.CounterResets.Count + changes.CounterDeltas.Count > 0)
            {
                ApplyCounters(changes, revision, writer);
            }

            foreach (var key in changes.Deletes)
            {
                if (_memories.TryGetValue(key.AgentId, out var bucket))
                {
                    bucket.Remove(key.MemoryId);
                }

                _tombstones[(key.AgentId, key.MemoryId)] = new Tombstone(revision, writer, now);
            }

            foreach (var entry in changes.Inserts)
            {
                var bucket = Bucket(entry.AgentId);
                if (bucket.TryGetValue(entry.Id, out var stored))
                {
                    bucket[entry.Id] = stored with { Entry = MemoryPatch.ApplyInsert(stored.Entry, entry), Revision = revision, Writer = writer, Merged = stored.Merged || stored.Writer != writer };
                }
                else if (!ErasedAfter(entry, writer))
                {
                    // A new memory, also one whose id was deleted before: remembering it again is a new fact.
                    bucket[entry.Id] = new Row(entry, revision, writer, Merged: false);
                }
            }

            foreach (var patch in changes.Updates)
            {
                var entry = patch.Entry;
                var bucket = Bucket(entry.AgentId);
                if (bucket.TryGetValue(entry.Id, out var stored))
                {
                    bucket[entry.Id] = stored with { Entry = patch.ApplyTo(stored.Entry), Revision = revision, Writer = writer, Merged = stored.Merged || stored.Writer != writer };
                }
                else if (!_tombstones.ContainsKey((entry.AgentId, entry.Id)) && !ErasedAfter(entry, writer))
                {
                    bucket[entry.Id] = new Row(entry, revision, writer, Merged: false);
                }
            }

            foreach (var access in changes.Accesses)
            {
                if (_memories.TryGetValue(access.AgentId, out var bucket) && bucket.TryGetValue(access.MemoryId, out var stored))
                {
                    var entry = stored.Entry with
                    {
                        AccessCount = stored.Entry.AccessCount + access.Count,
                        LastAccessedAt = access.LastAccessedAt > stored.Entry.LastAccessedAt ? access.LastAccessedAt : stored.Entry.LastAccessedAt,
                    };
                    bucket[access.MemoryId] = stored with { Entry = entry, AccessRevision = revision };
                }
            }

        }

        _waiters.Wake(changes.Writer);

        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<MemoryEntry> LoadMemoriesAsync(string agentId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        MemoryEntry[] snapshot;
        lock (_gate)
        {
            snapshot = _memories.TryGetValue(agentId, out var bucket) ? [.. bucket.Values.Select(static r => r.Entry)] : [];
        }

        Array.Sort(snapshot, static (a, b) => a.Id.CompareTo(b.Id));
        foreach (var entry in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<AgentState?> GetAgentAsync(string agentId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_agents.TryGetValue(agentId, out var agent) ? agent.State : null);
        }
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<AgentState> ListAgentsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        AgentState[] snapshot;
        lock (_gate)
        {
            snapshot = [.. _agents.Values.Select(static a => a.State)];
        }

        foreach (var agent in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return agent;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task<MemoryChangePage> ReadChangesAsync(MemoryChangeQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit, "query.Limit");
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (query.From is not { } from)
            {
                return Task.FromResult(new MemoryChangePage { Next = _revision });
            }

            if (from < _prunedBelow)
            {
                return Task.FromResult(new MemoryChangePage { Next = _revision, MustReload = true });
            }

            var memories = new List<MemoryChange>();
            var accesses = new List<MemoryAccessTotals>();
            var deletes = new List<MemoryKey>();
            var erased = new List<string>();
            var agents = new List<AgentState>();
            var reader = query.Reader;
            foreach (var agentId in query.AgentIds)
            {
                if (_memories.TryGetValue(agentId, out var bucket))
                {
                    foreach (var row in bucket.Values)
                    {
                        if (row.Revision >= from && (row.Writer != reader || row.Merged))
                        {
                            memories.Add(new MemoryChange(row.Entry, row.Revision));
                        }

                        if (row.AccessRevision >= from)
                        {
                            accesses.Add(new MemoryAccessTotals(agentId, row.Entry.Id, row.Entry.AccessCount, row.Entry.LastAccessedAt, row.AccessRevision));
                        }
                    }
                }

                // An agent's state comes back to its own writer too: its counters are deltas of several hosts.
                if (_agents.TryGetValue(agentId, out var agent) && agent.Revision >= from)
                {
                    agents.Add(agent.State);
                }
            }

            var next = _revision;
            var hasMore = false;
            if (memories.Count > query.Limit)
            {
                // The page ends before the first revision beyond the limit, never inside one revision.
                memories.Sort(static (a, b) => a.Revision.CompareTo(b.Revision));
                var cut = memories[query.Limit].Revision;
                if (memories[0].Revision == cut)
                {
                    cut++;
                }

                memories.RemoveAll(m => m.Revision >= cut);
                next = cut;
                hasMore = true;
            }

            foreach (var key in query.Refetch)
            {
                if (_memories.TryGetValue(key.AgentId, out var bucket) && bucket.TryGetValue(key.MemoryId, out var row)
                    && (row.Revision < from || row.Revision >= next || (row.Writer == reader && !row.Merged)))
                {
                    memories.Add(new MemoryChange(row.Entry, row.Revision));
                }
            }

            var wanted = query.AgentIds as IReadOnlySet<string> ?? new HashSet<string>(query.AgentIds, StringComparer.Ordinal);
            foreach (var ((agentId, memoryId), mark) in _tombstones)
            {
                if (mark.Revision >= from && mark.Revision < next && mark.Writer != reader && wanted.Contains(agentId))
                {
                    deletes.Add(new MemoryKey(agentId, memoryId));
                }
            }

            foreach (var (agentId, mark) in _erasures)
            {
                if (mark.Revision >= from && mark.Revision < next && mark.Writer != reader && wanted.Contains(agentId))
                {
                    erased.Add(agentId);
                }
            }

            memories.Sort(static (a, b) => a.Revision.CompareTo(b.Revision));
            agents.RemoveAll(a => _agents[a.AgentId].Revision >= next);
            accesses.RemoveAll(a => a.Revision >= next);
            return Task.FromResult(new MemoryChangePage { Memories = memories, Accesses = accesses, Deletes = deletes, ErasedAgents = erased, Agents = agents, Next = next, HasMore = hasMore });
        }
    }

    /// <inheritdoc/>
    public Task<bool> WaitForChangesAsync(Guid reader, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _waiters.WaitAsync(reader, timeout, cancellationToken);

    /// <inheritdoc/>
    public Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var pruned = 0;
            foreach (var (key, mark) in _tombstones.ToList())
            {
                if (mark.At < before)
                {
                    _tombstones.Remove(key);
                    _prunedBelow = Math.Max(_prunedBelow, mark.Revision + 1);
                    pruned++;
                }
            }

            foreach (var (agentId, mark) in _erasures.ToList())
            {
                if (mark.At < before)
                {
                    _erasures.Remove(agentId);
                    _prunedBelow = Math.Max(_prunedBelow, mark.Revision + 1);
                    pruned++;
                }
            }

            return Task.FromResult(pruned);
        }
    }

    /// <summary>Clears and moves agents' counters (caller holds the lock); an agent the store does not know gets a state.</summary>
    private void ApplyCounters(MemoryChangeSet changes, long revision, Guid writer)
    {
        var touched = new Dictionary<string, Dictionary<string, double>>(StringComparer.Ordinal);
        Dictionary<string, double> CountersOf(string agentId)
        {
            if (!touched.TryGetValue(agentId, out var counters))
            {
                counters = _agents.TryGetValue(agentId, out var known) ? new Dictionary<string, double>(known.State.Counters) : [];
                touched.Add(agentId, counters);
            }

            return counters;
        }

        foreach (var agentId in changes.CounterResets)
        {
            CountersOf(agentId).Clear();
        }

        foreach (var (agentId, key, delta) in changes.CounterDeltas)
        {
            var counters = CountersOf(agentId);
            counters[key] = counters.GetValueOrDefault(key) + delta;
        }

        foreach (var (agentId, counters) in touched)
        {
            var state = _agents.TryGetValue(agentId, out var known) ? known.State : new AgentState { AgentId = agentId, CreatedAt = _time.GetUtcNow() };
            _agents[agentId] = (state with { Counters = counters }, revision, writer);
        }
    }

    /// <summary>
    /// Whether another writer erased the memory's agent after the memory was created: a host that still held the
    /// agent writes it late, and it stays erased. Caller holds the lock.
    /// </summary>
    private bool ErasedAfter(MemoryEntry entry, Guid writer) =>
        _erasures.TryGetValue(entry.AgentId, out var mark) && mark.Writer != writer && entry.CreatedAt <= mark.At;

    private Dictionary<Guid, Row> Bucket(string agentId)
    {
        if (!_memories.TryGetValue(agentId, out var bucket))
        {
            bucket = [];
            _memories[agentId] = bucket;
        }

        return bucket;
    }

    /// <summary>
    /// A stored memory, the position of its last change, who made it, and whether several writers ever changed it (then
    /// its last writer reads it back too: the row may hold changes that writer has not seen); and the position of its
    /// last access, which is not a change of the row.
    /// </summary>
    private sealed record Row(MemoryEntry Entry, long Revision, Guid Writer, bool Merged)
    {
        /// <summary>The revision of the last access change, or -1 when the memory was never accessed here.</summary>
        public long AccessRevision { get; init; } = -1;
    }

    private sealed record Tombstone(long Revision, Guid Writer, DateTimeOffset At);
}
