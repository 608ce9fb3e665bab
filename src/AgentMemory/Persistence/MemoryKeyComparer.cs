namespace AgentMemory.Persistence;

/// <summary>
/// Compares an (agent id, memory id) key the writer looks up several times per change: hashed by the memory id alone
/// (random bits, unique per memory in practice), so no agent id is hashed; the agent id still takes part in equality.
/// </summary>
internal sealed class MemoryKeyComparer : IEqualityComparer<(string AgentId, Guid MemoryId)>
{
    public static readonly MemoryKeyComparer Instance = new();

    private MemoryKeyComparer()
    {
    }

    public bool Equals((string AgentId, Guid MemoryId) x, (string AgentId, Guid MemoryId) y) =>
        x.MemoryId == y.MemoryId && string.Equals(x.AgentId, y.AgentId, StringComparison.Ordinal);

    public int GetHashCode((string AgentId, Guid MemoryId) key) => key.MemoryId.GetHashCode();
}
