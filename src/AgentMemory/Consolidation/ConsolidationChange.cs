namespace AgentMemory.Consolidation;

/// <summary>What a planned change does, for the report.</summary>
internal enum ConsolidationChangeKind
{
    Expired,
    WorkingPromoted,
    WorkingDropped,
    Merged,
    Promoted,
    Forgotten,
}

/// <summary>
/// One all-or-nothing change of a consolidation plan: it is made only when every memory it read is still at the
/// version it read, so a run never overwrites what the agent changed while the run was planning.
/// </summary>
/// <param name="Kind">What the change does.</param>
/// <param name="Expected">The memories the change read, at the versions it read.</param>
/// <param name="Upserts">New snapshots of existing memories (same id) and new memories.</param>
/// <param name="Removals">Ids of memories the change removes.</param>
/// <param name="Count">How many memories the change counts for in the report (a merge of three counts 2).</param>
internal sealed record ConsolidationChange(
    ConsolidationChangeKind Kind,
    IReadOnlyList<MemoryEntry> Expected,
    IReadOnlyList<MemoryEntry> Upserts,
    IReadOnlyList<Guid> Removals,
    int Count = 1);
