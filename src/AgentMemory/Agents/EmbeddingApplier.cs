using AgentMemory.Embeddings;
using AgentMemory.Persistence;

namespace AgentMemory.Agents;

/// <summary>
/// Applies computed embeddings to the agents' replicas and emits the snapshot records that save them: one write lock
/// per agent in a batch (not one per embedding), so the embedder hardly competes with callers for an agent's lock. An
/// embedding whose memory changed its content or went away meanwhile is dropped.
/// </summary>
internal sealed class EmbeddingApplier(WriteQueue queue) : IEmbeddingSink
{
    public void Apply(IReadOnlyList<EmbeddingJob> jobs, float[][] vectors, string modelId)
    {
        // Agents in order of first appearance, each agent's jobs in batch order. An agent whose lock is busy (a recall
        // reading it, a caller changing it) is left for after the others, so the batch does not wait on each busy agent
        // in turn; at the end it waits for those still busy. Batches are often a single job (the embedder takes what
        // is queued when it wakes), so a batch of one agent allocates nothing.
        AgentReplica? firstDone = null;
        List<AgentReplica>? moreDone = null;
        List<(AgentReplica Agent, int First)>? busy = null;
        for (var first = 0; first < jobs.Count; first++)
        {
            var agent = (AgentReplica)jobs[first].Target!;
            if (ReferenceEquals(agent, firstDone) || (moreDone is not null && moreDone.Contains(agent)))
            {
                continue;
            }

            if (firstDone is null)
            {
                firstDone = agent;
            }
            else
            {
                (moreDone ??= []).Add(agent);
            }

            if (agent.TryEnterWrite(out var write))
            {
                using (write)
                {
                    ApplyAll(agent, first, jobs, vectors, modelId);
                }
            }
            else
            {
                (busy ??= []).Add((agent, first));
            }
        }

        foreach (var (agent, first) in busy ?? [])
        {
            using (agent.EnterWrite())
            {
                ApplyAll(agent, first, jobs, vectors, modelId);
            }
        }
    }

    /// <summary>Applies the batch's embeddings of one agent, from its first job on (caller holds the agent's write lock).</summary>
    private void ApplyAll(AgentReplica agent, int first, IReadOnlyList<EmbeddingJob> jobs, float[][] vectors, string modelId)
    {
        List<(int Slot, MemoryEntry Entry)>? embedded = null;
        for (var i = first; i < jobs.Count && !agent.IsRetired; i++)
        {
            if (ReferenceEquals(jobs[i].Target, agent) && Apply(agent, jobs[i], vectors[i], modelId) is { } done)
            {
                (embedded ??= []).Add(done);
            }
        }

        if (embedded is not null)
        {
            Emit(agent, embedded);
        }
    }

    /// <summary>Stores one computed embedding in the replica (caller holds the agent's write lock); returns the new snapshot, if any.</summary>
    private (int Slot, MemoryEntry Entry)? Apply(AgentReplica agent, EmbeddingJob job, float[] vector, string modelId)
    {
        var slot = agent.SlotOf(job.MemoryId);
        if (slot < 0)
        {
            return null;
        }

        var entry = agent.EntryAt(slot);
        if (!string.Equals(entry.Content, job.Content, StringComparison.Ordinal))
        {
            return null;
        }

        // While the memory's latest snapshot record still waits for the writer (queued, or parked for this very
        // embedding), this snapshot joins the same write: the memory is written once, with its embedding, at the same
        // version. Once the writer took that record, the embedding changes the stored row, so it is the next version.
        var rewrite = queue.IsTaken(agent.LastWriteAt(slot)) && !queue.IsCompleted;
        var embedded = entry with
        {
            Embedding = vector,
            EmbeddingModel = modelId,
            Version = rewrite ? entry.Version + 1 : entry.Version,
        };
        agent.Replace(slot, embedded);
        return (slot, embedded);
    }

    /// <summary>
    /// Emits one record with the batch's new snapshots of the agent's memories. It is not counted against capacity: an
    /// embedding that is never written (a crash, or computed after shutdown began) is computed again when the agent
    /// loads.
    /// </summary>
    private void Emit(AgentReplica agent, List<(int Slot, MemoryEntry Entry)> embedded)
    {
        var entries = new MemoryEntry[embedded.Count];
        for (var i = 0; i < entries.Length; i++)
        {
            entries[i] = embedded[i].Entry;
        }

        try
        {
            var record = ChangeRecord.EmbeddingsAttached(agent.AgentId, entries, new ChangeRecord.Tracking(null, agent.Pin, Reserved: false));
            queue.Enqueue(record);
            foreach (var (slot, _) in embedded)
            {
                agent.NoteWrite(slot, record.Sequence);
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }
}
