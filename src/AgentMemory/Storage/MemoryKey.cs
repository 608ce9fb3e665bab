namespace AgentMemory.Storage;

/// <summary>Names one memory of one agent.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="MemoryId">The memory.</param>
public readonly record struct MemoryKey(string AgentId, Guid MemoryId);
