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

    public MemoryEntry? Entry { get; private set; }

    public AgentState? Agent { get; private init; }

    public MemoryAccess Access { get; private init; }

    /// <summary>The agent index that stays pinned in the cache until this change is written.</summary>
    public AgentIndex? Owner { get; private set; }

    /// <summary>Completed when the change is durable (write-through callers and flushes wait on it).</summary>
    public TaskCompletionSource? Durable { get; private set; }

    /// <summary>Whether the change took a place in the queue's capacity (released once written).</summary>
    public bool Reserved { get; private set; }

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

    /// <summary>
    /// Sets what the queue needs to know of the change; called once, by whoever queues it, before it is queued (a
    /// change is one object from factory to writer: no copy per remembered memory).
    /// </summary>
    public PendingChange Attach(TaskCompletionSource? durable, AgentIndex? owner, bool reserved)
    {
        Durable = durable;
        Owner = owner;
        Reserved = reserved;
        return this;
    }

    /// <summary>Lets the writer, which alone holds a change once it is dequeued, write a newer snapshot of its memory.</summary>
    public void Refresh(MemoryEntry entry) => Entry = entry;
}
