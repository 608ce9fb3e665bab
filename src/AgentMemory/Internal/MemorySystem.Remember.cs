using AgentMemory.Agents;
using AgentMemory.Diagnostics;
using AgentMemory.Retrieval;
using AgentMemory.Validation;

namespace AgentMemory.Internal;

internal sealed partial class MemorySystem
{
    public async ValueTask<MemoryEntry> RememberAsync(string agentId, MemoryDraft memory, CancellationToken cancellationToken = default)
    {
        MemoryValidator.AgentId(agentId);
        var prepared = PreparedMemory.From(memory, _validator);
        return await RememberAsync(agentId, prepared, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Ends a task (see <see cref="IAgentMemory.CompleteTaskAsync"/>): the outcome memory is validated first (a refused
    /// one changes nothing), the outcome is then recorded for the used memories while the agent's memories are still
    /// those the task recalled from, and the outcome memory is remembered last.
    /// </summary>
    public async ValueTask<MemoryEntry> CompleteTaskAsync(string agentId, MemoryDraft outcome, IEnumerable<Guid> usedMemoryIds, double reward, string? task, CancellationToken cancellationToken)
    {
        MemoryValidator.AgentId(agentId);
        ArgumentNullException.ThrowIfNull(usedMemoryIds);
        var prepared = PreparedMemory.From(outcome, _validator);
        var used = usedMemoryIds as IReadOnlyCollection<Guid> ?? [.. usedMemoryIds];
        if (used.Count > 0)
        {
            await RecordOutcomeAsync(agentId, used, reward, task, cancellationToken).ConfigureAwait(false);
        }

        return await RememberAsync(agentId, prepared, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Remembers a validated memory.</summary>
    private ValueTask<MemoryEntry> RememberAsync(string agentId, PreparedMemory prepared, CancellationToken cancellationToken) =>
        // One place for the memory and one for the agent's state when the agent is new.
        _mutator.MutateAsync(agentId, 2, (System: this, Memory: prepared), static (mutation, s) => s.System.Remember(mutation, s.Memory, s.System.Now()), cancellationToken);

    public async ValueTask<IReadOnlyList<MemoryEntry>> RememberManyAsync(string agentId, IEnumerable<MemoryDraft> memories, CancellationToken cancellationToken = default)
    {
        MemoryValidator.AgentId(agentId);
        ArgumentNullException.ThrowIfNull(memories);
        var prepared = new List<PreparedMemory>();
        foreach (var memory in memories)
        {
            try
            {
                prepared.Add(PreparedMemory.From(memory, _validator));
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException($"memories[{prepared.Count}]: {ex.Message}", ex.ParamName, ex);
            }
        }

        if (prepared.Count == 0)
        {
            return [];
        }

        return await _mutator.MutateAsync(
            agentId,
            prepared.Count + 1,
            mutation =>
            {
                // All or nothing: every draft is checked against the agent's memories before any is remembered.
                for (var i = 0; i < prepared.Count; i++)
                {
                    try
                    {
                        Check(mutation.Agent, prepared[i]);
                    }
                    catch (ArgumentException ex)
                    {
                        throw new ArgumentException($"memories[{i}]: {ex.Message}", ex.ParamName, ex);
                    }
                }

                var now = Now();
                var result = new MemoryEntry[prepared.Count];
                for (var i = 0; i < prepared.Count; i++)
                {
                    result[i] = Remember(mutation, prepared[i], now);
                }

                return (IReadOnlyList<MemoryEntry>)result;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Finds what a draft meets among the agent's memories and refuses a draft they make impossible, before anything
    /// changes: an id that names a different memory, or known content whose tags united with the draft's would be more
    /// than the most a memory holds. Returns the slot of the memory with the caller's id (a retry), or of the memory
    /// with the same content (to reinforce), or -1 for a new memory.
    /// </summary>
    private static (int Slot, bool Retry) Check(AgentReplica agent, PreparedMemory memory)
    {
        if (memory.Id is { } id)
        {
            var existingSlot = agent.SlotOf(id);
            if (existingSlot < 0)
            {
                // Not known content to reinforce: a draft with the caller's own id is that memory, so a retry finds it
                // by its id (consolidation merges true duplicates later).
                return (-1, false);
            }

            var existing = agent.EntryAt(existingSlot);
            if (existing.Type != memory.Type || !ContentIdentity.Same(existing.Content, memory.Content))
            {
                throw new ArgumentException($"id {id} already names a different memory of agent '{agent.AgentId}'.", "id");
            }

            return (existingSlot, true);
        }

        var same = agent.SlotOfContent(memory.Type, memory.Content, memory.Identity);
        if (same >= 0)
        {
            var tags = agent.EntryAt(same).Tags;
            var united = tags.Count + memory.Tags.Count(t => !tags.Contains(t, StringComparer.Ordinal));
            if (united > MemoryValidator.MaxTags)
            {
                throw new ArgumentException(
                    $"tags: the agent already has this content with {tags.Count} tags; with the new ones it would have {united}, more than {MemoryValidator.MaxTags}.",
                    "tags");
            }
        }

        return (same, false);
    }

    private MemoryEntry Remember(Mutation mutation, PreparedMemory memory, DateTimeOffset now)
    {
        var agent = mutation.Agent;
        var (slot, retry) = Check(agent, memory);
        if (retry)
        {
            // A retried remember with the caller's id: already remembered, nothing more to do.
            return agent.EntryAt(slot);
        }

        if (slot >= 0)
        {
            return Reinforce(mutation, slot, memory, now);
        }

        mutation.EnsureAgent(now);
        var created = memory.CreatedAt ?? now;
        var entry = new MemoryEntry
        {
            Id = memory.Id ?? MemoryIds.NewVersion7(now),
            AgentId = agent.AgentId,
            Type = memory.Type,
            Content = memory.Content,
            Metadata = memory.Metadata,
            Importance = memory.Importance,
            Valence = memory.Valence,
            Tags = memory.Tags,
            CreatedAt = created,
            LastAccessedAt = created,
            UpdatedAt = now,
            ExpiresAt = memory.ExpiresAt,
            Source = memory.Source,
            Trusted = memory.Trusted,
        };
        var added = agent.Add(entry, memory.Identity, memory.Terms);
        mutation.Inserted(added, entry);
        mutation.Embed(entry.Id, entry.Content);
        _instruments.Remembered.Add(1);
        Log.Remembered(_logger, agent.AgentId, entry.Id, entry.Content);
        return entry;
    }

    /// <summary>The agent already has this content: strengthen the memory instead of duplicating it, losing nothing of either.</summary>
    private MemoryEntry Reinforce(Mutation mutation, int slot, PreparedMemory memory, DateTimeOffset now)
    {
        var existing = mutation.Agent.EntryAt(slot);
        var tags = existing.Tags;
        var newTags = memory.Tags.Where(t => !existing.Tags.Contains(t, StringComparer.Ordinal)).ToList();
        if (newTags.Count > 0)
        {
            // Within the limit: Check refused a draft that would pass it.
            tags = [.. existing.Tags, .. newTags];
        }

        var metadata = MemoryJson.MergeMissing(existing.Metadata, memory.Metadata);
        if (!ReferenceEquals(metadata.GetRawText(), existing.Metadata.GetRawText()) && TextRules.Utf8Length(MemoryJson.Serialize(metadata)) > _options.MaxMetadataBytes)
        {
            metadata = existing.Metadata;
        }

        var reinforced = existing with
        {
            AccessCount = existing.AccessCount + 1,
            LastAccessedAt = now > existing.LastAccessedAt ? now : existing.LastAccessedAt,
            UpdatedAt = now,
            Importance = (Importance)Math.Max((int)existing.Importance, (int)memory.Importance),
            Tags = tags,
            Metadata = metadata,
            ExpiresAt = existing.ExpiresAt is { } a && memory.ExpiresAt is { } b ? (a > b ? a : b) : null,

            // Said again by a less trusted party: as trusted as the least trusted of them.
            Trusted = existing.Trusted && memory.Trusted,
            Version = existing.Version + 1,
        };

        TermCounts? terms = ReferenceEquals(tags, existing.Tags) ? null : TermCounts.ForMemory(existing.Content, tags);
        mutation.Agent.Replace(slot, reinforced, identity: null, terms);
        mutation.Updated(slot, reinforced, existing);
        _instruments.Reinforced.Add(1);
        return reinforced;
    }
}
