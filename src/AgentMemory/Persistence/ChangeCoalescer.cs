using AgentMemory.Storage;

namespace AgentMemory.Persistence;

/// <summary>
/// Turns a batch of change records into write units, in order: several records of one memory become one unit (the
/// latest snapshot wins and stays an insert when the first was one, the changed fields add up, utility moves and
/// access counts are summed; a delete drops what came before it), and erasing an agent drops every earlier change of
/// that agent in the batch.
/// </summary>
internal static class ChangeCoalescer
{
    /// <summary>
    /// The write units of the first <paramref name="count"/> records of <paramref name="batch"/>, in
    /// <paramref name="scratch"/>'s list (valid until its next use).
    /// </summary>
    public static List<WriteUnit> Coalesce(List<ChangeRecord> batch, int count, Scratch scratch)
    {
        var units = scratch.Units;
        var memories = scratch.Memories;
        units.Clear();
        memories.Clear();
        var agents = new Dictionary<string, WriteUnit>(StringComparer.Ordinal);
        var superseded = false;

        for (var i = 0; i < count; i++)
        {
            var change = batch[i];
            switch (change.Kind)
            {
                case ChangeKind.Flush:
                    break;

                case ChangeKind.EraseAgent:
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

                    units.Add(new WriteUnit(change.AgentId, Guid.Empty) { EraseAgent = true });
                    break;

                case ChangeKind.Agent:
                    AgentUnit(change.AgentId, agents, units).Agent = change.Agent;
                    break;

                case ChangeKind.CounterReset:
                    var reset = AgentUnit(change.AgentId, agents, units);
                    reset.ResetCounters = true;
                    reset.CounterDeltas = null;
                    break;

                case ChangeKind.Counters:
                    var counted = AgentUnit(change.AgentId, agents, units);
                    counted.CounterDeltas ??= new Dictionary<string, double>(StringComparer.Ordinal);
                    foreach (var (key, delta) in change.Counters!)
                    {
                        counted.CounterDeltas[key] = counted.CounterDeltas.GetValueOrDefault(key) + delta;
                    }

                    break;

                case ChangeKind.EmbeddingsAttached:
                    foreach (var entry in change.Entries)
                    {
                        // A newer snapshot of each memory; after an insert in the batch, still the memory's first write.
                        var unit = MemoryUnit(entry.AgentId, entry.Id, memories, units);
                        unit.Snapshot = entry;
                        unit.Fields |= MemoryFields.Embedding;
                    }

                    break;

                default:
                    Apply(MemoryUnit(change.AgentId, change.MemoryId, memories, units), change);
                    break;
            }
        }

        if (superseded)
        {
            units.RemoveAll(static u => u.Superseded);
        }

        memories.Clear();
        return units;
    }

    /// <summary>The change set of a contiguous range of units.</summary>
    public static MemoryChangeSet ToChangeSet(List<WriteUnit> units, int start, int count, Guid writer, long batch)
    {
        var erasedAgents = new List<string>();
        var agents = new List<AgentState>();
        var counterResets = new List<string>();
        var counterDeltas = new List<AgentCounterDelta>();
        var deletes = new List<MemoryKey>();
        var inserts = new List<MemoryEntry>();
        var updates = new List<MemoryPatch>();
        var accesses = new List<MemoryAccess>();
        for (var i = start; i < start + count; i++)
        {
            var unit = units[i];
            if (unit.EraseAgent)
            {
                erasedAgents.Add(unit.AgentId);
            }

            if (unit.Agent is { } agent)
            {
                agents.Add(agent);
            }

            if (unit.ResetCounters)
            {
                counterResets.Add(unit.AgentId);
            }

            if (unit.CounterDeltas is { } deltas)
            {
                foreach (var (key, delta) in deltas)
                {
                    counterDeltas.Add(new AgentCounterDelta(unit.AgentId, key, delta));
                }
            }

            if (unit.DeleteFirst)
            {
                deletes.Add(new MemoryKey(unit.AgentId, unit.MemoryId));
            }

            if (unit.Snapshot is { } snapshot)
            {
                if (unit.IsNew)
                {
                    // A later snapshot in the batch may show accesses whose records come later still (deferred while
                    // the queue was full): the insert counts those of the insert and of this batch's records only.
                    var accessCount = unit.InsertedAccessCount + (unit.Access?.Count ?? 0);
                    var lastAccess = unit.Access is { } access && access.LastAccessedAt > snapshot.LastAccessedAt ? access.LastAccessedAt : snapshot.LastAccessedAt;
                    inserts.Add(snapshot.AccessCount == accessCount && snapshot.LastAccessedAt == lastAccess
                        ? snapshot
                        : snapshot with { AccessCount = accessCount, LastAccessedAt = lastAccess });
                }
                else
                {
                    updates.Add(new MemoryPatch(snapshot, unit.Fields, unit.UtilityDelta));
                }
            }

            if (!unit.IsNew && unit.Access is { } accessed)
            {
                accesses.Add(accessed);
            }
        }

        return new MemoryChangeSet
        {
            Writer = writer,
            Batch = batch,
            DeletedAgents = erasedAgents,
            Agents = agents,
            CounterResets = counterResets,
            CounterDeltas = counterDeltas,
            Deletes = deletes,
            Inserts = inserts,
            Updates = updates,
            Accesses = accesses,
        };
    }

    private static void Apply(WriteUnit unit, ChangeRecord change)
    {
        switch (change.Kind)
        {
            case ChangeKind.Insert:
                unit.Snapshot = change.Entry;
                unit.IsNew = true;
                unit.InsertedAccessCount = change.Entry!.AccessCount;
                break;
            case ChangeKind.Update:
                // An update after an insert in the same batch is still the memory's first write.
                unit.Snapshot = change.Entry;
                unit.Fields |= change.Fields;
                unit.UtilityDelta += change.UtilityDelta;
                if (change.Access.AgentId is not null)
                {
                    AddAccess(unit, change.Access);
                }

                break;
            case ChangeKind.Delete:
                unit.DeleteFirst = true;
                unit.Snapshot = null;
                unit.IsNew = false;
                unit.Access = null;
                unit.Fields = MemoryFields.None;
                unit.UtilityDelta = 0;
                break;
            case ChangeKind.Access:
                AddAccess(unit, change.Access);
                break;
        }
    }

    /// <summary>Accesses of one memory in one batch add up.</summary>
    private static void AddAccess(WriteUnit unit, MemoryAccess access)
    {
        unit.Access = unit.Access is { } before
            ? before with
            {
                Count = before.Count + access.Count,
                LastAccessedAt = before.LastAccessedAt >= access.LastAccessedAt ? before.LastAccessedAt : access.LastAccessedAt,
            }
            : access;
    }

    private static WriteUnit AgentUnit(string agentId, Dictionary<string, WriteUnit> agents, List<WriteUnit> units)
    {
        if (!agents.TryGetValue(agentId, out var unit))
        {
            unit = new WriteUnit(agentId, Guid.Empty);
            agents.Add(agentId, unit);
            units.Add(unit);
        }

        return unit;
    }

    /// <summary>
    /// The tables a writer reuses from batch to batch: a batch of ten thousand memories needs a table and a list above the
    /// large-object size, and allocating them afresh for every batch cost the writer milliseconds (zeroing and page
    /// faults of new memory) between two batches.
    /// </summary>
    public sealed class Scratch
    {
        public Dictionary<(string, Guid), WriteUnit> Memories { get; } = new(MemoryKeyComparer.Instance);

        public List<WriteUnit> Units { get; } = [];
    }

    private static WriteUnit MemoryUnit(string agentId, Guid memoryId, Dictionary<(string, Guid), WriteUnit> memories, List<WriteUnit> units)
    {
        var key = (agentId, memoryId);
        if (!memories.TryGetValue(key, out var unit))
        {
            unit = new WriteUnit(agentId, memoryId);
            memories.Add(key, unit);
            units.Add(unit);
        }

        return unit;
    }
}
