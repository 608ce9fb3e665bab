namespace AgentMemory.Storage;

/// <summary>A memory as the store holds it after a change, and the change's position in the feed.</summary>
/// <param name="Entry">The memory, every field as stored.</param>
/// <param name="Revision">The feed position of the change (see <see cref="MemoryChangeQuery.From"/>).</param>
public readonly record struct MemoryChange(MemoryEntry Entry, long Revision);
