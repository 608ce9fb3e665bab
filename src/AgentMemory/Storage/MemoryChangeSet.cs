namespace AgentMemory.Storage;

/// <summary>A batch of changes that a store applies in one transaction (see <see cref="IMemoryStore.ApplyAsync"/>).</summary>
public sealed class MemoryChangeSet
{
    /// <summary>Agents to delete with all their memories (applied first).</summary>
    public IReadOnlyList<string> DeletedAgents { get; init; } = [];

    /// <summary>Agents to create or whose state to replace (their creation time is kept).</summary>
    public IReadOnlyList<AgentState> Agents { get; init; } = [];

    /// <summary>Memories to delete.</summary>
    public IReadOnlyList<MemoryKey> Deletes { get; init; } = [];

    /// <summary>
    /// Memories new to the store: their first write. A store may take a fast path for them (PostgreSQL copies them
    /// straight into the table), but must treat one it holds already (a batch written again after a lost commit
    /// acknowledgement) as an entry of <see cref="Updates"/>.
    /// </summary>
    public IReadOnlyList<MemoryEntry> Inserts { get; init; } = [];

    /// <summary>
    /// Newer snapshots of memories: each replaces the stored row when its version is not older than the stored one,
    /// and is inserted when the store does not hold the memory.
    /// </summary>
    public IReadOnlyList<MemoryEntry> Updates { get; init; } = [];

    /// <summary>Access statistics to raise (last accessed and access count only ever grow).</summary>
    public IReadOnlyList<MemoryAccess> Accesses { get; init; } = [];

    /// <summary>How many changes the set holds.</summary>
    public int Count => DeletedAgents.Count + Agents.Count + Deletes.Count + Inserts.Count + Updates.Count + Accesses.Count;

    /// <summary>Whether the set holds no change.</summary>
    public bool IsEmpty => Count == 0;
}
