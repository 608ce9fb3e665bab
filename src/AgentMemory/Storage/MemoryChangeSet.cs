namespace AgentMemory;

/// <summary>A batch of changes that a store applies in one transaction (see <see cref="IMemoryStore.ApplyAsync"/>).</summary>
public sealed class MemoryChangeSet
{
    /// <summary>Agents to delete with all their memories (applied first).</summary>
    public IReadOnlyList<string> DeletedAgents { get; init; } = [];

    /// <summary>Agents to create or whose settings to replace (their creation time is kept).</summary>
    public IReadOnlyList<AgentState> Agents { get; init; } = [];

    /// <summary>Memories to delete.</summary>
    public IReadOnlyList<MemoryKey> Deletes { get; init; } = [];

    /// <summary>Memories to insert or replace (when not older than the stored version).</summary>
    public IReadOnlyList<MemoryEntry> Upserts { get; init; } = [];

    /// <summary>Access statistics to raise (last accessed and access count only ever grow).</summary>
    public IReadOnlyList<MemoryAccess> Accesses { get; init; } = [];

    /// <summary>How many changes the set holds.</summary>
    public int Count => DeletedAgents.Count + Agents.Count + Deletes.Count + Upserts.Count + Accesses.Count;

    /// <summary>Whether the set holds no change.</summary>
    public bool IsEmpty => Count == 0;
}
