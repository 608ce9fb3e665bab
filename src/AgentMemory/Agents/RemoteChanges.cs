using AgentMemory.Persistence;
using AgentMemory.Retrieval;
using AgentMemory.Storage;

namespace AgentMemory.Agents;

/// <summary>
/// Applies what other hosts committed (a page of the store's change feed) to this host's replica of one agent. A
/// memory this host changed itself and has not written yet is left alone: the store's row will combine both changes
/// once this host's write lands, and the caller fetches that row again then. Accesses are the exception: access
/// statistics only grow, so they merge by taking the larger value and never wait (those of a memory not held yet are
/// fetched again with it).
/// </summary>
/// <remarks>
/// A memory another host created without its vector yet is not embedded here: its author embeds it, and the vector
/// arrives as a change of its own.
/// </remarks>
internal sealed class RemoteChanges(WriteQueue queue)
{
    /// <summary>
    /// Applies the changes of one agent; adds the memories whose change has to wait for this host's own write to
    /// <paramref name="waiting"/> (they are fetched again later). Returns <see langword="false"/> when the replica was
    /// retired meanwhile (it is loaded anew).
    /// </summary>
    /// <param name="agent">The replica.</param>
    /// <param name="memories">The memories as stored when the feed was read.</param>
    /// <param name="accesses">The access statistics of memories accessed, as stored.</param>
    /// <param name="deletes">The memories deleted.</param>
    /// <param name="state">The agent's state, when it changed.</param>
    /// <param name="writtenBelow">The writer's mark (<see cref="WriteQueue.WrittenBelow"/>) taken before the feed was read.</param>
    /// <param name="waiting">Collects the memories whose change waits (and the agent, with an empty memory id, when its state waits).</param>
    public bool Apply(AgentReplica agent, IReadOnlyList<MemoryChange> memories, IReadOnlyList<MemoryAccessTotals> accesses, IReadOnlyList<Guid> deletes, AgentState? state, long writtenBelow, ICollection<MemoryKey> waiting)
    {
        // Words and content identities of new or reworded memories are computed before taking the write lock, as for a
        // remember; most changes from other hosts (accesses, importance, utility) keep the words.
        var prepared = new (ulong Identity, TermCounts? Terms)[memories.Count];
        using (agent.EnterRead())
        {
            for (var i = 0; i < memories.Count; i++)
            {
                prepared[i].Terms = agent.SlotOf(memories[i].Entry.Id) is var slot and >= 0 && SameWords(agent.EntryAt(slot), memories[i].Entry) ? null : TermCounts.Empty;
            }
        }

        for (var i = 0; i < memories.Count; i++)
        {
            if (prepared[i].Terms is not null)
            {
                var entry = memories[i].Entry;
                prepared[i] = (ContentIdentity.Hash(entry.Content), TermCounts.ForMemory(entry.Content, entry.Tags));
            }
        }

        using (agent.EnterWrite())
        {
            if (agent.IsRetired)
            {
                Release(prepared);
                return false;
            }

            if (agent.LastEraseWrite >= writtenBelow)
            {
                // This host erased the agent and the erasure is not written: these changes predate it, or follow it.
                Release(prepared);
                foreach (var change in memories)
                {
                    waiting.Add(new MemoryKey(agent.AgentId, change.Entry.Id));
                }

                return true;
            }

            foreach (var id in deletes)
            {
                if (agent.SlotOf(id) is var slot and >= 0)
                {
                    agent.Remove(slot);
                }
            }

            for (var i = 0; i < memories.Count; i++)
            {
                var entry = memories[i].Entry;
                var (identity, terms) = prepared[i];
                if (agent.HasUnwrittenChange(entry.Id, writtenBelow))
                {
                    waiting.Add(new MemoryKey(agent.AgentId, entry.Id));
                    terms?.Release();
                    continue;
                }

                var slot = agent.SlotOf(entry.Id);
                if (slot >= 0)
                {
                    // This host's accesses do not wait for its write: the row may not count them yet.
                    entry = WithLargerAccesses(entry, agent.EntryAt(slot).AccessCount, agent.EntryAt(slot).LastAccessedAt);
                }

                if (slot >= 0 && SameWords(agent.EntryAt(slot), entry))
                {
                    terms?.Release();
                    agent.Replace(slot, entry);
                }
                else
                {
                    // Computed here when the replica changed since the words were looked at (rare).
                    if (terms is null)
                    {
                        (identity, terms) = (ContentIdentity.Hash(entry.Content), TermCounts.ForMemory(entry.Content, entry.Tags));
                    }

                    if (slot < 0)
                    {
                        agent.Add(entry, identity, terms.Value);
                    }
                    else
                    {
                        agent.Replace(slot, entry, identity, terms);
                    }
                }
            }

            foreach (var totals in accesses)
            {
                if (agent.SlotOf(totals.MemoryId) is var slot and >= 0)
                {
                    var held = agent.EntryAt(slot);
                    var merged = WithLargerAccesses(held, totals.AccessCount, totals.LastAccessedAt);
                    if (!ReferenceEquals(merged, held))
                    {
                        agent.ReplaceStatistics(slot, merged);
                    }
                }
                else
                {
                    // A memory not held here whose accesses arrive first: its row has moved on to a change not readable
                    // yet, and may come without these totals (a store need not repeat them with the row). It is fetched
                    // again, totals and all; a memory deleted meanwhile is simply not found.
                    waiting.Add(new MemoryKey(agent.AgentId, totals.MemoryId));
                }
            }

            if (state is not null && !ApplyState(agent, state, writtenBelow))
            {
                waiting.Add(new MemoryKey(agent.AgentId, Guid.Empty));
            }

            agent.ForgetWrittenDeletions(queue);
        }

        return true;
    }

    /// <summary>
    /// Takes the agent's state as stored (its settings and what it learned, the counters of every host) unless this
    /// host changed it after <paramref name="writtenBelow"/>; returns whether it did. Caller holds the write lock.
    /// </summary>
    public static bool ApplyState(AgentReplica agent, AgentState state, long writtenBelow)
    {
        if (agent.LastStateWrite >= writtenBelow)
        {
            return false;
        }

        agent.State = state;
        agent.ReloadLearning();
        return true;
    }

    /// <summary>
    /// The entry with the larger access count and the later last access of its own and the given ones. Both only grow
    /// in the store, and what a host holds is a stored value plus its own accesses since, so the larger never counts an
    /// access twice; once every host's accesses are written, every host holds the stored sums.
    /// </summary>
    private static MemoryEntry WithLargerAccesses(MemoryEntry entry, long accessCount, DateTimeOffset lastAccessedAt) =>
        accessCount <= entry.AccessCount && lastAccessedAt <= entry.LastAccessedAt
            ? entry
            : entry with
            {
                AccessCount = Math.Max(entry.AccessCount, accessCount),
                LastAccessedAt = lastAccessedAt > entry.LastAccessedAt ? lastAccessedAt : entry.LastAccessedAt,
            };

    private static bool SameWords(MemoryEntry held, MemoryEntry changed) =>
        held.Type == changed.Type
        && string.Equals(held.Content, changed.Content, StringComparison.Ordinal)
        && held.Tags.SequenceEqual(changed.Tags, StringComparer.Ordinal);

    private static void Release((ulong Identity, TermCounts? Terms)[] prepared)
    {
        foreach (var (_, terms) in prepared)
        {
            terms?.Release();
        }
    }
}
