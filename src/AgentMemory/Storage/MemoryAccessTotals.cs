namespace AgentMemory.Storage;

/// <summary>
/// A memory's access statistics as stored after accesses (see <see cref="MemoryChangePage.Accesses"/>): the sums of
/// every host's accesses, not a delta. Both only grow, so a host takes the larger of these and what it holds, which
/// keeps its own accesses that are not written yet and never counts one twice.
/// </summary>
/// <param name="AgentId">The agent.</param>
/// <param name="MemoryId">The memory.</param>
/// <param name="AccessCount">The stored access count.</param>
/// <param name="LastAccessedAt">The stored last access.</param>
/// <param name="Revision">The feed position of the last access change.</param>
public readonly record struct MemoryAccessTotals(string AgentId, Guid MemoryId, long AccessCount, DateTimeOffset LastAccessedAt, long Revision);
