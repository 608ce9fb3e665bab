namespace AgentMemory.Storage;

/// <summary>
/// Accesses of one memory to add to its statistics: the store adds <paramref name="Count"/> to the access count and
/// keeps the later of the stored and the given last-access time, so accesses recorded by several hosts all count.
/// </summary>
/// <param name="AgentId">The agent.</param>
/// <param name="MemoryId">The memory.</param>
/// <param name="LastAccessedAt">When the memory was last accessed.</param>
/// <param name="Count">How many accesses to add.</param>
public readonly record struct MemoryAccess(string AgentId, Guid MemoryId, DateTimeOffset LastAccessedAt, long Count);
