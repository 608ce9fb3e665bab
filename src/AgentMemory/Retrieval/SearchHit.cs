namespace AgentMemory.Retrieval;

/// <summary>One result of a scan: the slot's entry at scan time, its score and breakdown.</summary>
internal readonly record struct SearchHit(int Slot, MemoryEntry Entry, double Score, ScoreBreakdown Breakdown);
