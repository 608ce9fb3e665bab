using AgentMemory.Storage;

namespace AgentMemory.Persistence;

/// <summary>
/// One change on its way to the store (or a flush marker): an immutable record made under the agent's lock that
/// carries everything the writer needs, so the writer never reads the agent's in-process state. A snapshot record
/// (insert, update) holds the whole memory as it was when the change was made. What only some kinds carry (an update's
/// fields and accesses, an agent's state, counters, attached embeddings) is kept in one more object those kinds make,
/// so an insert, the record most agents make most, is the smallest object it can be.
/// </summary>
internal sealed class ChangeRecord
{
    private Details? _details;

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
    public MemoryFields Fields => _details?.Fields ?? default;

    /// <summary>How much an update moved the utility (with <see cref="MemoryFields.Utility"/>).</summary>
    public double UtilityDelta => _details?.UtilityDelta ?? 0;

    /// <summary>The snapshots of an embeddings-attached record, all of <see cref="AgentId"/>.</summary>
    public IReadOnlyList<MemoryEntry> Entries => _details?.Entries ?? [];

    public AgentState? Agent => _details?.Agent;

    /// <summary>The deltas of a counters record.</summary>
    public IReadOnlyDictionary<string, double>? Counters => _details?.Counters;

    public MemoryAccess Access => _details?.Access ?? default;

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
            _details = new Details
            {
                Fields = fields,
                UtilityDelta = fields.HasFlag(MemoryFields.Utility) ? entry.Utility - previous.Utility : 0,
                Access = accesses > 0 || entry.LastAccessedAt > previous.LastAccessedAt
                    ? new MemoryAccess(entry.AgentId, entry.Id, entry.LastAccessedAt, Math.Max(0, accesses))
                    : default,
            },
        };
    }

    public static ChangeRecord EmbeddingsAttached(string agentId, IReadOnlyList<MemoryEntry> entries, in Tracking tracking) =>
        new(ChangeKind.EmbeddingsAttached, agentId, tracking) { _details = new Details { Entries = entries } };

    public static ChangeRecord Delete(string agentId, Guid memoryId, in Tracking tracking) =>
        new(ChangeKind.Delete, agentId, tracking) { MemoryId = memoryId };

    /// <summary><paramref name="count"/> accesses of the memory, the last at its <see cref="MemoryEntry.LastAccessedAt"/>.</summary>
    public static ChangeRecord AccessOf(MemoryEntry entry, long count, in Tracking tracking) => new(ChangeKind.Access, entry.AgentId, tracking)
    {
        MemoryId = entry.Id,
        _details = new Details { Access = new MemoryAccess(entry.AgentId, entry.Id, entry.LastAccessedAt, count) },
    };

    public static ChangeRecord AgentOf(AgentState agent, in Tracking tracking) => new(ChangeKind.Agent, agent.AgentId, tracking) { _details = new Details { Agent = agent } };

    public static ChangeRecord EraseAgent(string agentId, in Tracking tracking) => new(ChangeKind.EraseAgent, agentId, tracking);

    public static ChangeRecord CountersOf(string agentId, IReadOnlyDictionary<string, double> deltas, in Tracking tracking) =>
        new(ChangeKind.Counters, agentId, tracking) { _details = new Details { Counters = deltas } };

    public static ChangeRecord CounterReset(string agentId, in Tracking tracking) => new(ChangeKind.CounterReset, agentId, tracking);

    public static ChangeRecord Flush() =>
        new(ChangeKind.Flush, string.Empty, new Tracking(new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously), null, false));

    /// <summary>What only some kinds of record carry.</summary>
    private sealed class Details
    {
        public MemoryFields Fields { get; init; }

        public double UtilityDelta { get; init; }

        public IReadOnlyList<MemoryEntry> Entries { get; init; } = [];

        public AgentState? Agent { get; init; }

        public IReadOnlyDictionary<string, double>? Counters { get; init; }

        public MemoryAccess Access { get; init; }
    }

    /// <summary>What the queue and the writer track for a record besides the change itself.</summary>
    /// <param name="Durable">Completed when the record is durable; <see langword="null"/> when nobody waits for it.</param>
    /// <param name="Pin">The agent's pin, held until the record is written.</param>
    /// <param name="Reserved">Whether the record uses a place the caller reserved in the queue.</param>
    public readonly record struct Tracking(TaskCompletionSource? Durable, WritePin? Pin, bool Reserved);
}
