namespace AgentMemory.Persistence;

/// <summary>
/// Turns a batch of queued changes into write units, in order: several changes to one memory become one unit
/// (the latest snapshot wins, a delete drops earlier changes), and deleting an agent drops every earlier change of
/// that agent in the batch.
/// </summary>
internal static class ChangeCoalescer
{
    /// <summary>The write units of the first <paramref name="count"/> changes of <paramref name="batch"/>.</summary>
    public static List<WriteUnit> Coalesce(List<PendingChange> batch, int count)
    {
        var units = new List<WriteUnit>(count);
        var memories = new Dictionary<(string, Guid), WriteUnit>(count);
        var agents = new Dictionary<string, WriteUnit>(StringComparer.Ordinal);
        var superseded = false;

        for (var i = 0; i < count; i++)
        {
            var change = batch[i];
            switch (change.Kind)
            {
                case ChangeKind.Flush:
                    break;

                case ChangeKind.DeleteAgent:
                    foreach (var (key, unit) in memories.Where(p => p.Key.Item1 == change.AgentId).ToList())
                    {
                        unit.Superseded = true;
                        memories.Remove(key);
                        superseded = true;
                    }

                    if (agents.Remove(change.AgentId, out var agentUnit))
                    {
                        agentUnit.Superseded = true;
                        superseded = true;
                    }

                    units.Add(new WriteUnit(change.AgentId, Guid.Empty) { DeleteAgent = true });
                    break;

                case ChangeKind.Agent:
                    if (!agents.TryGetValue(change.AgentId, out var existing))
                    {
                        existing = new WriteUnit(change.AgentId, Guid.Empty);
                        agents.Add(change.AgentId, existing);
                        units.Add(existing);
                    }

                    existing.Agent = change.Agent;
                    break;

                default:
                    var memory = MemoryUnit(change, memories, units);
                    switch (change.Kind)
                    {
                        case ChangeKind.Upsert:
                            memory.Upsert = change.Entry;
                            break;
                        case ChangeKind.Delete:
                            memory.DeleteFirst = true;
                            memory.Upsert = null;
                            memory.Access = null;
                            break;
                        case ChangeKind.Access:
                            memory.Access = memory.Access is { } before
                                ? before with
                                {
                                    AccessCount = Math.Max(before.AccessCount, change.Access.AccessCount),
                                    LastAccessedAt = before.LastAccessedAt >= change.Access.LastAccessedAt ? before.LastAccessedAt : change.Access.LastAccessedAt,
                                }
                                : change.Access;
                            break;
                    }

                    break;
            }
        }

        if (superseded)
        {
            units.RemoveAll(static u => u.Superseded);
        }

        return units;
    }

    /// <summary>The change set of a contiguous range of units.</summary>
    public static MemoryChangeSet ToChangeSet(List<WriteUnit> units, int start, int count)
    {
        var deletedAgents = new List<string>();
        var agents = new List<AgentState>();
        var deletes = new List<MemoryKey>();
        var upserts = new List<MemoryEntry>();
        var accesses = new List<MemoryAccess>();
        for (var i = start; i < start + count; i++)
        {
            var unit = units[i];
            if (unit.DeleteAgent)
            {
                deletedAgents.Add(unit.AgentId);
            }

            if (unit.Agent is { } agent)
            {
                agents.Add(agent);
            }

            if (unit.DeleteFirst)
            {
                deletes.Add(new MemoryKey(unit.AgentId, unit.MemoryId));
            }

            if (unit.Upsert is { } upsert)
            {
                upserts.Add(upsert);
            }

            if (unit.Access is { } access)
            {
                accesses.Add(access);
            }
        }

        return new MemoryChangeSet
        {
            DeletedAgents = deletedAgents,
            Agents = agents,
            Deletes = deletes,
            Upserts = upserts,
            Accesses = accesses,
        };
    }

    private static WriteUnit MemoryUnit(PendingChange change, Dictionary<(string, Guid), WriteUnit> memories, List<WriteUnit> units)
    {
        var key = (change.AgentId, change.MemoryId);
        if (!memories.TryGetValue(key, out var unit))
        {
            unit = new WriteUnit(change.AgentId, change.MemoryId);
            memories.Add(key, unit);
            units.Add(unit);
        }

        return unit;
    }
}
