using AgentMemory.Agents;
using AgentMemory.Retrieval;
using AgentMemory.Storage;
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
        if (expires is not null && update.ClearExpiresAt)
        {
            throw new ArgumentException("expiresAt: set ExpiresAt or ClearExpiresAt, not both.", "expiresAt");
        }

        return await _mutator.MutateAsync(
            agentId,
            1,
            mutation =>
            {
                var agent = mutation.Agent;
                var slot = agent.SlotOf(memoryId);
                if (slot < 0)
                {
                    throw new MemoryNotFoundException(agentId, memoryId);
                }

                var old = agent.EntryAt(slot);
                var contentChanged = content is not null && !string.Equals(content, old.Content, StringComparison.Ordinal);
                var updated = old with
                {
                    Content = content ?? old.Content,
                    Metadata = metadata ?? old.Metadata,
                    Tags = tags ?? old.Tags,
                    Type = type ?? old.Type,
                    Importance = importance ?? old.Importance,
                    Valence = valence ?? old.Valence,
                    ExpiresAt = update.ClearExpiresAt ? null : expires ?? old.ExpiresAt,
                    Embedding = contentChanged ? null : old.Embedding,
                    EmbeddingModel = contentChanged ? null : old.EmbeddingModel,
                    UpdatedAt = Now(),
                    Version = old.Version + 1,
                };
                TermCounts? terms = contentChanged || tags is not null ? TermCounts.ForMemory(updated.Content, updated.Tags) : null;
                ulong? identity = contentChanged ? ContentIdentity.Hash(updated.Content) : null;
                agent.Replace(slot, updated, identity, terms);
                mutation.Updated(slot, updated, old);
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
        return await _mutator.MutateAsync(
            agentId,
            1,
            mutation =>
            {
                // The memory and everything derived from it: what consolidation made from it (and made from that),
                // also after the memory itself was merged into another.
                var agent = mutation.Agent;
                var forgotten = DerivedFrom(agent, memoryId);
                if (forgotten.Count == 0)
                {
                    return false;
                }

                foreach (var id in forgotten)
                {
                    agent.Remove(agent.SlotOf(id));
                    mutation.Deleted(id);
                }

                _instruments.Forgotten.Add(forgotten.Count);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask ForgetAgentAsync(string agentId, CancellationToken cancellationToken = default)
    {
        MemoryValidator.AgentId(agentId);
        _instruments.Forgotten.Add(await _mutator.EraseAsync(agentId, cancellationToken).ConfigureAwait(false));
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

        return ids.Count == 0 ? 0 : await _learner.RecordAsync(agentId, ids, reward, taskTerms is null ? null : task, taskTerms, cancellationToken).ConfigureAwait(false);
    }

    public ValueTask<int> ResetLearningAsync(string agentId, CancellationToken cancellationToken = default)
    {
        MemoryValidator.AgentId(agentId);
        return _learner.ResetAsync(agentId, cancellationToken);
    }

    public async ValueTask SetLearningEnabledAsync(string agentId, bool enabled, CancellationToken cancellationToken = default)
    {
        MemoryValidator.AgentId(agentId);
        await _mutator.MutateAsync(
            agentId,
            1,
            mutation =>
            {
                var agent = mutation.Agent;
                agent.State = (agent.State ?? new AgentState { AgentId = agentId, CreatedAt = Now() }) with { LearningEnabled = enabled };
                mutation.AgentChanged(agent.State);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The memory (when the agent still has it) and every memory that lists it, or one of those, among its sources
    /// (caller holds a lock).
    /// </summary>
    private static List<Guid> DerivedFrom(AgentReplica agent, Guid memoryId)
    {
        var forgotten = agent.SlotOf(memoryId) >= 0 ? new List<Guid> { memoryId } : [];
        var seen = new HashSet<Guid> { memoryId };
        for (var found = true; found;)
        {
            found = false;
            foreach (var entry in agent.DerivedEntries())
            {
                if (!seen.Contains(entry.Id) && entry.SourceIds.Any(seen.Contains))
                {
                    seen.Add(entry.Id);
                    forgotten.Add(entry.Id);
                    found = true;
                }
            }
        }

        return forgotten;
    }
}
