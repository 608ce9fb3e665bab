namespace AgentMemory.Storage;

/// <summary>Changes other hosts committed, as the change feed returns them (see <see cref="IMemoryStore.ReadChangesAsync"/>).</summary>
public sealed class MemoryChangePage
{
    /// <summary>
    /// Memories created or changed, each as stored now — but for its access count and last access, which may be those
    /// it was written with: newer ones come in <see cref="Accesses"/> (in this page or an earlier one), and a reader
    /// keeps the larger of what it holds and what it reads (both only grow).
    /// </summary>
    public IReadOnlyList<MemoryChange> Memories { get; init; } = [];

    /// <summary>
    /// Memories only accessed (recalled): their access statistics as stored now, to every host holding the agent, the
    /// accessing host too — an access does not make the memory's row travel. A memory in <see cref="Memories"/> may
    /// appear here as well.
    /// </summary>
    public IReadOnlyList<MemoryAccessTotals> Accesses { get; init; } = [];

    /// <summary>Memories deleted.</summary>
    public IReadOnlyList<MemoryKey> Deletes { get; init; } = [];

    /// <summary>Agents erased (with all their memories): a host holding one reloads it.</summary>
    public IReadOnlyList<string> ErasedAgents { get; init; } = [];

    /// <summary>Agents whose state changed, as stored now.</summary>
    public IReadOnlyList<AgentState> Agents { get; init; } = [];

    /// <summary>Where the next read starts (<see cref="MemoryChangeQuery.From"/>).</summary>
    public long Next { get; init; }

    /// <summary>
    /// Whether more changes follow at <see cref="Next"/> (more changed than <see cref="MemoryChangeQuery.Limit"/>): the
    /// reader reads again at once.
    /// </summary>
    public bool HasMore { get; init; }

    /// <summary>
    /// Whether the reader cannot catch up from its position, which is older than the oldest tombstone the store keeps.
    /// The reader reloads the agents it holds and goes on from <see cref="Next"/>.
    /// </summary>
    public bool MustReload { get; init; }
}
