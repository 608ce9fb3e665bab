namespace AgentMemory.Storage;

/// <summary>A batch of changes that a store applies in one transaction (see <see cref="IMemoryStore.ApplyAsync"/>).</summary>
public sealed class MemoryChangeSet
{
    /// <summary>
    /// The host that wrote the set. Each host writes under its own id; a store records it with every row it writes, so
    /// the change feed can leave out what a reader wrote itself (<see cref="MemoryChangeQuery.Reader"/>).
    /// </summary>
    public Guid Writer { get; init; }

    /// <summary>
    /// The writer's number for the set, growing with each set it writes (0: not numbered). A store applies a numbered set
    /// at most once: a set whose number is not above the last one applied for <see cref="Writer"/> changes nothing, so
    /// a batch retried after a lost commit acknowledgement never adds its access counts and utility deltas twice.
    /// </summary>
    public long Batch { get; init; }

    /// <summary>
    /// Agents to delete with all their memories (applied first). Their memories are deleted for good: no later patch
    /// from any host writes them back.
    /// </summary>
    public IReadOnlyList<string> DeletedAgents { get; init; } = [];

    /// <summary>Agents to create or whose state to replace (their creation time is kept).</summary>
    public IReadOnlyList<AgentState> Agents { get; init; } = [];

    /// <summary>Agents whose counters are cleared (applied after <see cref="Agents"/>, before <see cref="CounterDeltas"/>).</summary>
    public IReadOnlyList<string> CounterResets { get; init; } = [];

    /// <summary>Deltas added to agents' counters (<see cref="AgentState.Counters"/>); a counter not stored starts at 0.</summary>
    public IReadOnlyList<AgentCounterDelta> CounterDeltas { get; init; } = [];

    /// <summary>Memories to delete, for good: the store keeps a tombstone, so no later patch writes one back.</summary>
    public IReadOnlyList<MemoryKey> Deletes { get; init; } = [];

    /// <summary>
    /// Memories new to the store: their first write. A store may take a fast path for them (PostgreSQL copies them
    /// straight into the table), but must treat one it holds already as a repeated write (<see cref="MemoryPatch.ApplyInsert"/>).
    /// </summary>
    public IReadOnlyList<MemoryEntry> Inserts { get; init; } = [];

    /// <summary>Changes of some fields of memories (see <see cref="MemoryPatch"/>), applied in order.</summary>
    public IReadOnlyList<MemoryPatch> Updates { get; init; } = [];

    /// <summary>Accesses to add to memories' statistics (see <see cref="MemoryAccess"/>).</summary>
    public IReadOnlyList<MemoryAccess> Accesses { get; init; } = [];

    /// <summary>How many changes the set holds.</summary>
    public int Count => DeletedAgents.Count + Agents.Count + CounterResets.Count + CounterDeltas.Count + Deletes.Count + Inserts.Count + Updates.Count + Accesses.Count;

    /// <summary>Whether the set holds no change.</summary>
    public bool IsEmpty => Count == 0;
}
