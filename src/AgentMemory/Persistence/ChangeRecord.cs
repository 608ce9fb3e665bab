using AgentMemory.Storage;

namespace AgentMemory.Persistence;

/// <summary>
/// One change on its way to the store (or a flush marker): an immutable record made under the agent's lock that
/// carries everything the writer needs, so the writer never reads the agent's in-process state. A snapshot record
/// (insert, update) holds the whole memory as it was when the change was made.
/// </summary>
internal sealed class ChangeRecord
{
    private ChangeRecord(ChangeKind kind, string agentId, in Tracking tracking)
    {
        Kind = kind;
        AgentId = agentId;
        Durable = tracking.Durable;
        Pin = tracking.Pin;
        Reserved = tracking.Reserved;
    }

    public ChangeKind Kind { get; }

    public string AgentId { get; }

    public Guid MemoryId { get; private init; }

    /// <summary>The memory's snapshot (insert and update).</summary>
    public MemoryEntry? Entry { get; private init; }

    /// <summary>The fields an update changed, and how much it moved the utility.</summary>
    public MemoryFields Fields { get; private init; }

    /// <summary>How much an update moved the utility (with <see cref="MemoryFields.Utility"/>).</summary>
    public double UtilityDelta { get; private init; }

    /// <summary>The snapshots of an embeddings-attached record, all of <see cref="AgentId"/>.</summary>
    public IReadOnlyList<MemoryEntry> Entries { get; private init; } = [];

    public AgentState? Agent { get; private init; }

    /// <summary>The deltas of a counters record.</summary>
    public IReadOnlyDictionary<string, double>? Counters { get; private init; }

    public MemoryAccess Access { get; private init; }

    /// <summary>Completed when the change is durable (write-through callers and flushes wait on it).</summary>
    public TaskCompletionSource? Durable { get; }

    /// <summary>The pin of the agent the record came from, held until the record is written.</summary>
    public WritePin? Pin { get; }

    /// <summary>Whether the record took a place in the queue's capacity (released once written).</summary>
    public bool Reserved { get; }

    /// <summary>The queue's number for the record (see <see cref="WriteQueue.IsTaken"/>), set as it is queued.</summary>
    public long Sequence { get; internal set; }

    /// <summary>When the record was queued (<see cref="System.Diagnostics.Stopwatch.GetTimestamp"/>), for the age of the oldest unwritten change.</summary>
    public long QueuedAt { get; internal set; }

    /// <summary>Whether the writer should write without waiting for the batch to fill.</summary>
    public bool IsUrgent => Durable is not null;

    public static ChangeRecord Insert(MemoryEntry entry, in Tracking tracking) =>
        new(ChangeKind.Insert, entry.AgentId, tracking) { MemoryId = entry.Id, Entry = entry };

    /// <summary>
    /// A change of <paramref name="previous"/> into <paramref name="entry"/>: the fields that differ, the utility's move,
    /// and the accesses it added (a reinforcement counts as one), so that hosts changing one memory at once merge.
    /// </summary>
    public static ChangeRecord Update(MemoryEntry entry, MemoryEntry previous, in Tracking tracking)
    {
        var fields = MemoryPatch.Diff(previous, entry);
        var accesses = entry.AccessCount - previous.AccessCount;
        return new(ChangeKind.Update, entry.AgentId, tracking)
        {
            MemoryId = entry.Id,
            Entry = entry,
            Fields = fields,
            UtilityDelta = fields.HasFlag(MemoryFields.Utility) ? entry.Utility - previous.Utility : 0,
            Access = accesses > 0 || entry.LastAccessedAt > previous.LastAccessedAt
                ? new MemoryAccess(entry.AgentId, entry.Id, entry.LastAccessedAt, Math.Max(0, accesses))
                : default,
        };
    }

    public static ChangeRecord EmbeddingsAttached(string agentId, IReadOnlyList<MemoryEntry> entries, in Tracking tracking) =>
        new(ChangeKind.EmbeddingsAttached, agentId, tracking) { Entries = entries };

    public static ChangeRecord Delete(string agentId, Guid memoryId, in Tracking tracking) =>
        new(ChangeKind.Delete, agentId, tracking) { MemoryId = memoryId };

    /// <summary><paramref name="count"/> accesses of the memory, the last at its <see cref="MemoryEntry.LastAccessedAt"/>.</summary>
    public static ChangeRecord AccessOf(MemoryEntry entry, long count, in Tracking tracking) => new(ChangeKind.Access, entry.AgentId, tracking)
    {
        MemoryId = entry.Id,
        Access = new MemoryAccess(entry.AgentId, entry.Id, entry.LastAccessedAt, count),
    };

    public static ChangeRecord AgentOf(AgentState agent, in Tracking tracking) => new(ChangeKind.Agent, agent.AgentId, tracking) { Agent = agent };

    public static ChangeRecord EraseAgent(string agentId, in Tracking tracking) => new(ChangeKind.EraseAgent, agentId, tracking);

    public static ChangeRecord CountersOf(string agentId, IReadOnlyDictionary<string, double> deltas, in Tracking tracking) =>
        new(ChangeKind.Counters, agentId, tracking) { Counters = deltas };

    public static ChangeRecord CounterReset(string agentId, in Tracking tracking) => new(ChangeKind.CounterReset, agentId, tracking);

    public static ChangeRecord Flush() =>
        new(ChangeKind.Flush, string.Empty, new Tracking(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null, false));

    /// <summary>What the queue and the writer track for a record besides the change itself.</summary>
    /// <param name="Durable">Completed when the record is durable; <see langword="null"/> when nobody waits for it.</param>
    /// <param name="Pin">The agent's pin, held until the record is written.</param>
    /// <param name="Reserved">Whether the record uses a place the caller reserved in the queue.</param>
    public readonly record struct Tracking(TaskCompletionSource? Durable, WritePin? Pin, bool Reserved);
}
