using AgentMemory.Persistence;
using AgentMemory.Retrieval;

namespace AgentMemory.Internal;

/// <summary>
/// The changes one API call makes to one agent, enqueued while the caller holds the agent's write lock (so the
/// queue sees each memory's versions in order), with the embeddings to compute and the commits to wait for.
/// </summary>
internal sealed class Mutation(WriteQueue queue, AgentIndex index, int reserved, bool writeThrough)
{
    private List<Task>? _durable;

    // The first memory to embed is kept in fields (a remember has one), further ones in a list.
    private (Guid Id, string Content) _firstEmbedding;
    private List<(Guid Id, string Content)>? _moreEmbeddings;

    public AgentIndex Index { get; } = index;

    /// <summary>Reserved places not used by an enqueued change; the caller releases them.</summary>
    public int UnusedReservations { get; private set; } = reserved;

    public void Enqueue(PendingChange change)
    {
        var tcs = writeThrough ? new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) : null;
        var usesReservation = UnusedReservations > 0;
        if (usesReservation)
        {
            UnusedReservations--;
        }

        if (change.Kind == ChangeKind.Upsert)
        {
            Index.NoteUpsertQueued(change.MemoryId);
        }

        queue.Enqueue(change.Attach(tcs, Index, usesReservation));
        if (tcs is not null)
        {
            (_durable ??= []).Add(tcs.Task);
        }
    }

    /// <summary>Queues the agent's state when the store does not know the agent yet.</summary>
    public void EnsureAgent(DateTimeOffset now)
    {
        if (Index.State is null)
        {
            Index.State = new AgentState { AgentId = Index.AgentId, CreatedAt = now };
            Enqueue(PendingChange.AgentOf(Index.State));
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
}
