using AgentMemory.Persistence;

namespace AgentMemory.Agents;

/// <summary>
/// Memories whose access statistics changed while the write queue had no room: they are written later (by the next
/// recall with room, or a flush) instead of being lost or making recall wait. While any wait, the agent's pin is held,
/// so the agent is not evicted meanwhile. Changed under the agent's write lock.
/// </summary>
internal sealed class DeferredAccess(WritePin pin)
{
    private Dictionary<Guid, long>? _ids;
    private int _count;

    /// <summary>How many memories wait (read without the lock).</summary>
    public int Count => Volatile.Read(ref _count);

    public void Add(Guid id)
    {
        _ids ??= [];
        ref var accesses = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(_ids, id, out var known);
        accesses++;
        if (!known && Interlocked.Increment(ref _count) == 1)
        {
            pin.Hold();
        }
    }

    /// <summary>Takes up to <paramref name="max"/> ids; <paramref name="isLive"/> tells which are still memories of the agent.</summary>
    public List<(Guid Id, long Accesses)> Take(int max, Func<Guid, bool> isLive)
    {
        var taken = new List<(Guid Id, long Accesses)>();
        if (_ids is null || max <= 0)
        {
            return taken;
        }

        // Ids of memories forgotten meanwhile are dropped along the way; they have nothing left to write.
        var visited = new List<Guid>();
        foreach (var (id, accesses) in _ids)
        {
            if (taken.Count == max)
            {
                break;
            }

            visited.Add(id);
            if (isLive(id))
            {
                taken.Add((id, accesses));
            }
        }

        foreach (var id in visited)
        {
            _ids.Remove(id);
        }

        if (Interlocked.Exchange(ref _count, _ids.Count) > 0 && _ids.Count == 0)
        {
            pin.Release();
        }

        return taken;
    }
}
