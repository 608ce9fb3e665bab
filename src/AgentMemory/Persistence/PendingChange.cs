using AgentMemory.Retrieval;

namespace AgentMemory.Persistence;

/// <summary>One queued change (or flush marker) on its way to the store.</summary>
internal sealed class PendingChange
{
    private PendingChange(ChangeKind kind, string agentId)
    {
        Kind = kind;
        AgentId = agentId;
    }

    public ChangeKind Kind { get; }

    public string AgentId { get; }

    public Guid MemoryId { get; private init; }

    public MemoryEntry? Entry { get; private init; }

    public AgentState? Agent { get; private init; }

    public MemoryAccess Access { get; private init; }

    /// <summary>The agent index that stays pinned in the cache until this change is written.</summary>
    public AgentIndex? Owner { get; init; }

    /// <summary>Completed when the change is durable (write-through callers and flushes wait on it).</summary>
    public TaskCompletionSource? Durable { get; init; }

    /// <summary>Whether the change took a place in the queue's capacity (released once written).</summary>
    public bool Reserved { get; init; }

    /// <summary>Whether the writer should write without waiting for the batch to fill.</summary>
    public bool IsUrgent => Durable is not null;

    public static PendingChange Upsert(MemoryEntry entry) => new(ChangeKind.Upsert, entry.AgentId) { MemoryId = entry.Id, Entry = entry };

    public static PendingChange Delete(string agentId, Guid memoryId) => new(ChangeKind.Delete, agentId) { MemoryId = memoryId };

    public static PendingChange AccessOf(MemoryEntry entry) => new(ChangeKind.Access, entry.AgentId)
    {
        MemoryId = entry.Id,
        Access = new MemoryAccess(entry.AgentId, entry.Id, entry.LastAccessedAt, entry.AccessCount),
    };

    public static PendingChange AgentOf(AgentState agent) => new(ChangeKind.Agent, agent.AgentId) { Agent = agent };

    public static PendingChange DeleteAgent(string agentId) => new(ChangeKind.DeleteAgent, agentId);

    public static PendingChange Flush() => new(ChangeKind.Flush, string.Empty)
    {
        Durable = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously),
    };

    /// <summary>The same change carrying a newer snapshot of its memory.</summary>
    public PendingChange WithEntry(MemoryEntry entry) => Copy(entry, Durable, Owner, Reserved);

    public PendingChange WithCompletion(TaskCompletionSource? durable, AgentIndex? owner, bool reserved) => Copy(Entry, durable, owner, reserved);

    private PendingChange Copy(MemoryEntry? entry, TaskCompletionSource? durable, AgentIndex? owner, bool reserved) =>
        new(Kind, AgentId)
        {
            MemoryId = MemoryId,
            Entry = entry,
            Agent = Agent,
            Access = Access,
            Durable = durable,
            Owner = owner,
            Reserved = reserved,
        };
}
