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

    public bool DeleteAgent { get; set; }

    public AgentState? Agent { get; set; }

    public bool DeleteFirst { get; set; }

    public MemoryEntry? Upsert { get; set; }

    public MemoryAccess? Access { get; set; }

    public bool Superseded { get; set; }

    /// <summary>A short description for logs: ids only, never content.</summary>
    public override string ToString() =>
        MemoryId == Guid.Empty
            ? $"agent '{AgentId}' ({(DeleteAgent ? "delete" : "upsert")})"
            : $"memory {MemoryId} of agent '{AgentId}' ({(Upsert is not null ? $"upsert v{Upsert.Version}" : DeleteFirst ? "delete" : "access")})";
}
