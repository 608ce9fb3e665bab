using AgentMemory.Persistence;
using AgentMemory.Storage;

namespace AgentMemory.Agents;

/// <summary>
/// The changes one call makes to one agent: each is applied to the replica by the caller and emitted here as a change
/// record, while the caller holds the agent's write lock (so the queue sees each memory's records in order). Also
/// collects the memories to embed and, in write-through mode, the commits to wait for. A write-behind call's mutation
/// is done with when the call returns, so <see cref="AgentMutator"/> keeps one per thread for the next call
/// (<see cref="Begin"/>, <see cref="Clear"/>).
/// </summary>
internal sealed class Mutation
{
    private WriteQueue _queue = null!;
    private bool _writeThrough;
    private List<Task>? _durable;

    // The first memory to embed is kept in fields (a remember has one), further ones in a list.
    private (Guid Id, string Content) _firstEmbedding;
    private List<(Guid Id, string Content)>? _moreEmbeddings;

    public Mutation()
    {
    }

    public Mutation(WriteQueue queue, AgentReplica agent, int reserved, bool writeThrough) => Begin(queue, agent, reserved, writeThrough);

    public AgentReplica Agent { get; private set; } = null!;

    /// <summary>Reserved places not used by an emitted record; the caller releases them.</summary>
    public int UnusedReservations { get; private set; }

    /// <summary>Starts a call's changes of <paramref name="agent"/>, with <paramref name="reserved"/> places in the queue.</summary>
    public void Begin(WriteQueue queue, AgentReplica agent, int reserved, bool writeThrough)
    {
        _queue = queue;
        Agent = agent;
        UnusedReservations = reserved;
        _writeThrough = writeThrough;
    }

    /// <summary>Forgets the call: no reference to its agent, memories or contents is kept while the mutation waits for the next.</summary>
    public void Clear()
    {
        _queue = null!;
        Agent = null!;
        UnusedReservations = 0;
        _durable = null;
        _firstEmbedding = default;
        _moreEmbeddings = null;
        EmbeddingCount = 0;
        Inserts = null;
        Updates = null;
    }

    /// <summary>A memory new to the store, in <paramref name="slot"/>.</summary>
    public void Inserted(int slot, MemoryEntry entry)
    {
        EmitSnapshot(slot, ChangeRecord.Insert(entry, Track()));
        if (_writeThrough)
        {
            (Inserts ??= []).Add(entry);
        }
    }

    /// <summary>In write-through mode, the memories this call inserted: taken back when the store refuses them.</summary>
    public List<MemoryEntry>? Inserts { get; private set; }

    /// <summary>A newer snapshot of the memory in <paramref name="slot"/>, which replaced <paramref name="previous"/>.</summary>
    public void Updated(int slot, MemoryEntry entry, MemoryEntry previous)
    {
        EmitSnapshot(slot, ChangeRecord.Update(entry, previous, Track()));
        if (_writeThrough)
        {
            (Updates ??= []).Add((previous, entry));
        }
    }

    /// <summary>In write-through mode, the snapshots this call replaced and their replacements: restored when the store refuses them.</summary>
    public List<(MemoryEntry Previous, MemoryEntry Updated)>? Updates { get; private set; }

    public void Deleted(Guid memoryId)
    {
        var record = ChangeRecord.Delete(Agent.AgentId, memoryId, Track());
        Emit(record);
        Agent.NoteDelete(memoryId, record.Sequence);
    }

    /// <summary>The agent erased with all its memories.</summary>
    public void Erased()
    {
        var record = ChangeRecord.EraseAgent(Agent.AgentId, Track());
        Emit(record);
        Agent.LastEraseWrite = record.Sequence;
    }

    public void AgentChanged(AgentState state)
    {
        var record = ChangeRecord.AgentOf(state, Track());
        Emit(record);
        Agent.LastStateWrite = record.Sequence;
    }

    /// <summary>What the agent learned moved by these deltas (the store adds them up, whoever sends them).</summary>
    public void CountersChanged(IReadOnlyDictionary<string, double> deltas)
    {
        var record = ChangeRecord.CountersOf(Agent.AgentId, deltas, Track());
        Emit(record);
        Agent.LastStateWrite = record.Sequence;
    }

    /// <summary>What the agent learned cleared.</summary>
    public void CountersReset()
    {
        var record = ChangeRecord.CounterReset(Agent.AgentId, Track());
        Emit(record);
        Agent.LastStateWrite = record.Sequence;
    }

    /// <summary>Creates the agent's state when the store does not know the agent yet.</summary>
    public void EnsureAgent(DateTimeOffset now)
    {
        if (Agent.State is null)
        {
            Agent.State = new AgentState { AgentId = Agent.AgentId, CreatedAt = now };
            AgentChanged(Agent.State);
        }
    }

    public void Embed(Guid id, string content)
    {
        if (EmbeddingCount++ == 0)
        {
            _firstEmbedding = (id, content);
        }
        else
        {
            (_moreEmbeddings ??= []).Add((id, content));
        }
    }

    /// <summary>How many memories to embed the call queued (see <see cref="EmbeddingAt"/>).</summary>
    public int EmbeddingCount { get; private set; }

    public (Guid Id, string Content) EmbeddingAt(int i) => i == 0 ? _firstEmbedding : _moreEmbeddings![i - 1];

    public Task WhenDurable() => _durable is null ? Task.CompletedTask : Task.WhenAll(_durable);

    private ChangeRecord.Tracking Track()
    {
        var tcs = _writeThrough ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
        if (tcs is not null)
        {
            (_durable ??= []).Add(tcs.Task);
        }

        var usesReservation = UnusedReservations > 0;
        if (usesReservation)
        {
            UnusedReservations--;
        }

        return new ChangeRecord.Tracking(tcs, Agent.Pin, usesReservation);
    }

    private void EmitSnapshot(int slot, ChangeRecord record)
    {
        Emit(record);
        Agent.NoteWrite(slot, record.Sequence);
    }

    private void Emit(ChangeRecord record) => _queue.Enqueue(record);
}
