using AgentMemory.Persistence;
using AgentMemory.Retrieval;
using AgentMemory.Storage;

namespace AgentMemory.Agents;

/// <summary>
/// Applies what other hosts committed (a page of the store's change feed) to this host's replica of one agent. A
/// memory this host changed itself and has not written yet is left alone: the store's row will combine both changes
/// once this host's write lands, and the feed brings that row back; the caller reads again from the change's position.
/// </summary>
/// <remarks>
/// A memory another host created without its vector yet is not embedded here: its author embeds it, and the vector
/// arrives as a change of its own.
/// </remarks>
internal sealed class RemoteChanges(WriteQueue queue)
{
    /// <summary>
    /// Applies the changes of one agent; returns the lowest position of a change that has to wait for this host's own
    /// write (<see cref="long.MaxValue"/> when none), or <see langword="null"/> when the replica was retired meanwhile.
    /// </summary>
    public long? Apply(AgentReplica agent, IReadOnlyList<MemoryChange> memories, IReadOnlyList<Guid> deletes, AgentState? state)
    {
        // Words and content identities are computed before taking the lock, as for a remember.
        var prepared = new (ulong Identity, TermCounts Terms)[memories.Count];
        for (var i = 0; i < memories.Count; i++)
        {
            var entry = memories[i].Entry;
            prepared[i] = (ContentIdentity.Hash(entry.Content), TermCounts.ForMemory(entry.Content, entry.Tags));
        }

        var waitFrom = long.MaxValue;
        using (agent.EnterWrite())
        {
            if (agent.IsRetired)
            {
                Release(prepared, 0);
                return null;
            }

            if (!queue.IsWritten(agent.LastEraseWrite))
            {
                Release(prepared, 0);
                return memories.Count > 0 ? memories.Min(static m => m.Revision) : long.MaxValue;
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
                var (entry, revision) = memories[i];
                var (identity, terms) = prepared[i];
                if (agent.HasUnwrittenChange(entry.Id, queue))
                {
                    waitFrom = Math.Min(waitFrom, revision);
                    terms.Release();
                    continue;
                }

                var slot = agent.SlotOf(entry.Id);
                if (slot < 0)
                {
                    agent.Add(entry, identity, terms);
                }
                else
                {
                    var old = agent.EntryAt(slot);
                    if (old.Type == entry.Type
                        && string.Equals(old.Content, entry.Content, StringComparison.Ordinal)
                        && old.Tags.SequenceEqual(entry.Tags, StringComparer.Ordinal))
                    {
                        terms.Release();
                        agent.Replace(slot, entry);
                    }
                    else
                    {
                        agent.Replace(slot, entry, identity, terms);
                    }
                }

            }

            if (state is not null && queue.IsWritten(agent.LastStateWrite))
            {
                agent.State = state;
                agent.ReloadLearning();
            }

            agent.ForgetWrittenDeletions(queue);
        }

        return waitFrom;
    }

    private static void Release((ulong Identity, TermCounts Terms)[] prepared, int from)
    {
        for (var i = from; i < prepared.Length; i++)
        {
            prepared[i].Terms.Release();
        }
    }
}
