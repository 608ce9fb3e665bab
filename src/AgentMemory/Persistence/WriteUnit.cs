using AgentMemory.Storage;

namespace AgentMemory.Persistence;

/// <summary>
/// The coalesced changes of one memory (or one agent) within a batch: the smallest piece the writer can isolate
/// when the store refuses something.
/// </summary>
internal sealed class WriteUnit(string agentId, Guid memoryId)
{
    public string AgentId { get; } = agentId;

    /// <summary>The memory, or <see cref="Guid.Empty"/> for an agent-level change.</summary>
    public Guid MemoryId { get; } = memoryId;

    public bool EraseAgent { get; set; }

    public AgentState? Agent { get; set; }

    /// <summary>Whether the agent's counters are cleared before <see cref="CounterDeltas"/> apply.</summary>
    public bool ResetCounters { get; set; }

    /// <summary>The agent's counter deltas, summed over the batch.</summary>
    public Dictionary<string, double>? CounterDeltas { get; set; }

    public bool DeleteFirst { get; set; }

    /// <summary>The latest snapshot of the memory in the batch.</summary>
    public MemoryEntry? Snapshot { get; set; }

    /// <summary>Whether <see cref="Snapshot"/> is the memory's first write (an insert record came first in the batch).</summary>
    public bool IsNew { get; set; }

    /// <summary>For an insert: the access count of the inserted snapshot; later accesses in the batch add to it.</summary>
    public long InsertedAccessCount { get; set; }

    /// <summary>For an update: the fields the batch's changes of the memory set.</summary>
    public MemoryFields Fields { get; set; }

    /// <summary>For an update: how much the batch's changes moved the utility.</summary>
    public double UtilityDelta { get; set; }

    public MemoryAccess? Access { get; set; }

    public bool Superseded { get; set; }

    /// <summary>A short description for logs: ids only, never content.</summary>
    public override string ToString() =>
        MemoryId == Guid.Empty
            ? $"agent '{AgentId}' ({(EraseAgent ? "erase" : "state")})"
            : $"memory {MemoryId} of agent '{AgentId}' ({(Snapshot is not null ? $"{(IsNew ? "insert" : "update")} v{Snapshot.Version}" : DeleteFirst ? "delete" : "access")})";
}
