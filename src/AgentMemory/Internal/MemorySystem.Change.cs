using AgentMemory.Diagnostics;
using AgentMemory.Embeddings;
using AgentMemory.Persistence;
using AgentMemory.Retrieval;
using AgentMemory.Validation;

namespace AgentMemory.Internal;

internal sealed partial class MemorySystem
{
    public async ValueTask<MemoryEntry> UpdateAsync(string agentId, Guid memoryId, MemoryUpdate update, CancellationToken cancellationToken = default)
    {
        MemoryValidator.AgentId(agentId);
        MemoryValidator.MemoryId(memoryId);
        ArgumentNullException.ThrowIfNull(update);
        var content = update.Content is null ? null : _validator.Content(update.Content);
        var metadata = update.Metadata is null ? (System.Text.Json.JsonElement?)null : _validator.Metadata(update.Metadata);
        var tags = update.Tags is null ? null : MemoryValidator.Tags(update.Tags);
        var type = update.Type is { } t ? MemoryValidator.Enum(t, "type") : (MemoryType?)null;
        var importance = update.Importance is { } i ? MemoryValidator.Enum(i, "importance") : (Importance?)null;
        var valence = update.Valence is { } v ? MemoryValidator.Valence(v) : (double?)null;
        var expires = update.ExpiresAt is { } e ? TimeRules.Normalize(e) : (DateTimeOffset?)null;

        return await MutateAsync(
            agentId,
            1,
            mutation =>
            {
                var index = mutation.Index;
                var slot = index.SlotOf(memoryId);
                if (slot < 0)
                {
                    throw new MemoryNotFoundException(agentId, memoryId);
                }

                var old = index.EntryAt(slot);
                var contentChanged = content is not null && !string.Equals(content, old.Content, StringComparison.Ordinal);
                var updated = old with
                {
                    Content = content ?? old.Content,
                    Metadata = metadata ?? old.Metadata,
                    Tags = tags ?? old.Tags,
                    Type = type ?? old.Type,
                    Importance = importance ?? old.Importance,
                    Valence = valence ?? old.Valence,
                    ExpiresAt = expires ?? old.ExpiresAt,
                    Embedding = contentChanged ? null : old.Embedding,
                    EmbeddingModel = contentChanged ? null : old.EmbeddingModel,
                    UpdatedAt = Now(),
                    Version = old.Version + 1,
                };
                TermCounts? terms = contentChanged || tags is not null ? TermCounts.ForMemory(updated.Content, updated.Tags) : null;
                ulong? identity = contentChanged ? ContentIdentity.Hash(updated.Content) : null;
                index.Replace(slot, updated, identity, terms);
                mutation.Enqueue(PendingChange.Upsert(updated));
                if (contentChanged)
                {
                    mutation.Embed(updated.Id, updated.Content);
                }

                return updated;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask<bool> ForgetAsync(string agentId, Guid memoryId, CancellationToken cancellationToken = default)
    {
        MemoryValidator.AgentId(agentId);
        MemoryValidator.MemoryId(memoryId);
        return await MutateAsync(
            agentId,
            1,
            mutation =>
            {
                var slot = mutation.Index.SlotOf(memoryId);
                if (slot < 0)
                {
                    return false;
                }

                mutation.Index.Remove(slot);
                mutation.Enqueue(PendingChange.Delete(agentId, memoryId));
                _instruments.Forgotten.Add(1);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask ForgetAgentAsync(string agentId, CancellationToken cancellationToken = default)
    {
        MemoryValidator.AgentId(agentId);
        _pipeline.EnsureStarted();
        await _queue.ReserveAsync(1, cancellationToken).ConfigureAwait(false);
        var reserved = true;
        try
        {
            while (true)
            {
                var index = await _cache.GetAsync(agentId, cancellationToken).ConfigureAwait(false);
                Mutation mutation;
                using (index.EnterWrite())
                {
                    if (index.IsRetired)
                    {
                        continue;
                    }

                    index.IsRetired = true;
                    _instruments.Forgotten.Add(index.Count);

                    // The empty successor is pinned by the queued deletion, so nothing stale is loaded meanwhile.
                    var successor = _cache.ReplaceWithEmpty(agentId);
                    mutation = new Mutation(_queue, successor, 1, _writeThrough);
                    mutation.Enqueue(PendingChange.DeleteAgent(agentId));
                    reserved = false;
                }

                await mutation.WhenDurable().WaitAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
        }
        finally
        {
            if (reserved)
            {
                _queue.Release(1);
            }
        }
    }

    public ValueTask<int> RecordOutcomeAsync(string agentId, IEnumerable<Guid> usedMemoryIds, double reward, CancellationToken cancellationToken = default) =>
        RecordOutcomeAsync(agentId, usedMemoryIds, reward, task: null, cancellationToken);

    public async ValueTask<int> RecordOutcomeAsync(string agentId, IEnumerable<Guid> usedMemoryIds, double reward, string? task, CancellationToken cancellationToken = default)
    {
        MemoryValidator.AgentId(agentId);
        var taskTerms = string.IsNullOrWhiteSpace(task) ? null : TermCounts.ForQuery(_validator.Content(task, "task"), null, 0);
        ArgumentNullException.ThrowIfNull(usedMemoryIds);
        MemoryValidator.Reward(reward);
        var ids = usedMemoryIds.Distinct().ToList();
        foreach (var id in ids)
        {
            MemoryValidator.MemoryId(id, "usedMemoryIds");
        }

        if (ids.Count == 0)
        {
            return 0;
        }

        var rate = _options.Learning.LearningRate;
        // Signal credit compares memories with the best of the agent for the task: the cosines' scale cancels out.
        var taskVector = taskTerms is null
            ? null
            : (await EmbedTaskAsync(await _cache.GetAsync(agentId, cancellationToken).ConfigureAwait(false), task!, cancellationToken).ConfigureAwait(false)).Vector;

        var recall = _options.Recall;
        return await MutateAsync(
            agentId,
            ids.Count + 1,
            mutation =>
            {
                var index = mutation.Index;
                if (index.State is { LearningEnabled: false })
                {
                    return 0;
                }

                var now = Now();
                var changed = 0;
                var taskWords = taskTerms?.Select(static t => t.Key).ToHashSet(StringComparer.Ordinal);
                var misleading = new HashSet<string>(StringComparer.Ordinal);
                var learned = false;
                var slots = new List<int>(ids.Count);
                foreach (var id in ids)
                {
                    var slot = index.SlotOf(id);
                    if (slot < 0)
                    {
                        continue;
                    }

                    slots.Add(slot);
                    if (taskWords is not null && reward < 0)
                    {
                        // The words the task shared with the memory are what made it look relevant.
                        misleading.UnionWith(index.TermsAt(slot).Where(taskWords.Contains));
                    }

                    var old = index.EntryAt(slot);
                    var utility = Math.Clamp(old.Utility + (rate * (reward - old.Utility)), -1.0, 1.0);
                    var updated = old with { Utility = utility, UpdatedAt = now, Version = old.Version + 1 };
                    index.ReplaceStatistics(slot, updated);
                    mutation.Enqueue(PendingChange.Upsert(updated));
                    changed++;
                }

                if (taskTerms is not null && slots.Count > 0)
                {
                    // And the signal that put each memory forward, credited with the outcome.
                    foreach (var (lexical, semantic) in index.Similarities(taskTerms, taskVector, recall.Bm25K1, recall.Bm25B, slots))
                    {
                        if (semantic is { } value)
                        {
                            index.Learning.CreditSignals(lexical, value, reward);
                            learned = true;
                        }
                    }
                }

                if (misleading.Count > 0)
                {
                    index.Learning.Misled(misleading);
                    learned = true;
                }

                if (learned)
                {
                    var state = index.State ?? new AgentState { AgentId = agentId, CreatedAt = now };
                    index.State = state with { Settings = index.Learning.WriteTo(state.Settings) };
                    mutation.Enqueue(PendingChange.AgentOf(index.State));
                }

                return changed;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask SetLearningEnabledAsync(string agentId, bool enabled, CancellationToken cancellationToken = default)
    {
        MemoryValidator.AgentId(agentId);
        await MutateAsync(
            agentId,
            1,
            mutation =>
            {
                var index = mutation.Index;
                index.State = (index.State ?? new AgentState { AgentId = agentId, CreatedAt = Now() }) with { LearningEnabled = enabled };
                mutation.Enqueue(PendingChange.AgentOf(index.State));
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Stores computed embeddings, each unless its memory changed or went away meanwhile; one write lock per agent in
    /// the batch (not one per embedding), so the embedder hardly competes with callers for the agent's lock.
    /// </summary>
    private void ApplyEmbeddings(IReadOnlyList<EmbeddingJob> jobs, float[][] vectors)
    {
        // Agents in order of first appearance, each agent's jobs in batch order. Batches are often a single job (the
        // embedder takes what is queued when it wakes), so a batch of one agent allocates nothing.
        AgentIndex? firstDone = null;
        List<AgentIndex>? moreDone = null;
        for (var first = 0; first < jobs.Count; first++)
        {
            var index = jobs[first].Index!;
            if (ReferenceEquals(index, firstDone) || (moreDone is not null && moreDone.Contains(index)))
            {
                continue;
            }

            using (index.EnterWrite())
            {
                for (var i = first; i < jobs.Count && !index.IsRetired; i++)
                {
                    if (ReferenceEquals(jobs[i].Index, index))
                    {
                        ApplyEmbedding(index, jobs[i], vectors[i]);
                    }
                }
            }

            if (firstDone is null)
            {
                firstDone = index;
            }
            else
            {
                (moreDone ??= []).Add(index);
            }
        }
    }

    /// <summary>Stores one computed embedding (caller holds the index's write lock).</summary>
    private void ApplyEmbedding(AgentIndex index, EmbeddingJob job, float[] vector)
    {
        var slot = index.SlotOf(job.MemoryId);
        if (slot < 0)
        {
            return;
        }

        var entry = index.EntryAt(slot);
        if (!string.Equals(entry.Content, job.Content, StringComparison.Ordinal))
        {
            return;
        }

        // While the memory's upsert is still queued, the writer will take this snapshot with it: one write, same
        // version. Once that write is taken, the embedding is a change of the stored row, so it gets the next version:
        // a store then knows version 1 as a memory's first write (PostgreSQL copies those straight into the table)
        // and replaces the row by version order. It is queued, not counted against capacity: an embedding that is
        // never written (a crash, or computed after shutdown began) is recomputed when the agent loads.
        var rewrite = !index.HasQueuedUpsert(slot) && !_queue.IsCompleted;
        var embedded = entry with
        {
            Embedding = vector,
            EmbeddingModel = _embeddings.ModelId,
            Version = rewrite ? entry.Version + 1 : entry.Version,
        };
        index.Replace(slot, embedded);
        if (rewrite)
        {
            try
            {
                index.NoteUpsertQueued(embedded.Id);
                _queue.Enqueue(PendingChange.Upsert(embedded).Attach(null, index, reserved: false));
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}
