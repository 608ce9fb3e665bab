namespace AgentMemory.Storage;

/// <summary>A memory's access statistics, as absolute values; stores keep the larger of stored and given.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="MemoryId">The memory.</param>
/// <param name="LastAccessedAt">When the memory was last accessed.</param>
/// <param name="AccessCount">How many times it was accessed in all.</param>
public readonly record struct MemoryAccess(string AgentId, Guid MemoryId, DateTimeOffset LastAccessedAt, long AccessCount);
