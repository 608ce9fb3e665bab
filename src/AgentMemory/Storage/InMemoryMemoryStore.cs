using System.Runtime.CompilerServices;

namespace AgentMemory.Storage;

/// <summary>
/// A store in process memory: for tests, development and hosts that need no durability. Change sets apply
/// atomically under one lock; reads copy under it.
/// </summary>
internal sealed class InMemoryMemoryStore : IMemoryStore
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Dictionary<Guid, MemoryEntry>> _memories = new(StringComparer.Ordinal);
    private readonly SortedDictionary<string, AgentState> _agents = new(StringComparer.Ordinal);

    public Task InitializeAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task ApplyAsync(MemoryChangeSet changes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(changes);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            foreach (var agentId in changes.DeletedAgents)
            {
                _agents.Remove(agentId);
                _memories.Remove(agentId);
            }

            foreach (var agent in changes.Agents)
            {
                _agents[agent.AgentId] = _agents.TryGetValue(agent.AgentId, out var existing)
                    ? agent with { CreatedAt = existing.CreatedAt }
                    : agent;
            }

            foreach (var key in changes.Deletes)
            {
                if (_memories.TryGetValue(key.AgentId, out var bucket))
                {
                    bucket.Remove(key.MemoryId);
                }
            }

            foreach (var entry in changes.Inserts)
            {
                Write(entry);
            }

            foreach (var entry in changes.Updates)
            {
                Write(entry);
            }

            foreach (var access in changes.Accesses)
            {
                if (_memories.TryGetValue(access.AgentId, out var bucket) && bucket.TryGetValue(access.MemoryId, out var stored))
                {
                    bucket[access.MemoryId] = stored with
                    {
                        AccessCount = Math.Max(access.AccessCount, stored.AccessCount),
                        LastAccessedAt = Max(access.LastAccessedAt, stored.LastAccessedAt),
                    };
                }
            }
        }

        return Task.CompletedTask;
    }

    public async IAsyncEnumerable<MemoryEntry> LoadMemoriesAsync(string agentId, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        MemoryEntry[] snapshot;
        lock (_gate)
        {
            snapshot = _memories.TryGetValue(agentId, out var bucket) ? [.. bucket.Values] : [];
        }

        Array.Sort(snapshot, static (a, b) => a.Id.CompareTo(b.Id));
        foreach (var entry in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return entry;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    public Task<AgentState?> GetAgentAsync(string agentId, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            return Task.FromResult(_agents.GetValueOrDefault(agentId));
        }
    }

    public async IAsyncEnumerable<AgentState> ListAgentsAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        AgentState[] snapshot;
        lock (_gate)
        {
            snapshot = [.. _agents.Values];
        }

        foreach (var agent in snapshot)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return agent;
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <summary>Stores a snapshot unless the stored one is newer; access statistics only grow. Caller holds the lock.</summary>
    private void Write(MemoryEntry entry)
    {
        if (!_memories.TryGetValue(entry.AgentId, out var bucket))
        {
            bucket = [];
            _memories[entry.AgentId] = bucket;
        }

        if (!bucket.TryGetValue(entry.Id, out var stored))
        {
            bucket[entry.Id] = entry;
        }
        else if (entry.Version >= stored.Version)
        {
            bucket[entry.Id] = entry.AccessCount >= stored.AccessCount && entry.LastAccessedAt >= stored.LastAccessedAt
                ? entry
                : entry with
                {
                    AccessCount = Math.Max(entry.AccessCount, stored.AccessCount),
                    LastAccessedAt = Max(entry.LastAccessedAt, stored.LastAccessedAt),
                };
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;
}
