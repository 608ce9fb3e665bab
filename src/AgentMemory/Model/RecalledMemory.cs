namespace AgentMemory;

/// <summary>A memory returned by recall, with its score and the score's components.</summary>
/// <param name="Memory">The memory (with access statistics as updated by this recall).</param>
/// <param name="Score">The weighted score in [0, 1] that ranked it.</param>
/// <param name="Breakdown">The components of the score.</param>
public sealed record RecalledMemory(MemoryEntry Memory, double Score, ScoreBreakdown Breakdown);
