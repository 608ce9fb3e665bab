namespace AgentMemory.Agents;

/// <summary>
/// An agent's memories in the order they were formed (their ids' order: version 7 ids carry their millisecond and
/// count up within it), as a list linked through the slots, so a memory's neighbours — what the agent took in just
/// before and just after it — are found in constant time. New memories come last almost always; one that arrives late
/// (from another host) is walked into place from the end.
/// </summary>
internal sealed class FormationOrder(int capacity)
{
    private int[] _previous = Filled(capacity);
    private int[] _next = Filled(capacity);
    private int _first = -1;
    private int _last = -1;

    /// <summary>The memory formed just before the one in <paramref name="slot"/>, or -1.</summary>
    public int Previous(int slot) => _previous[slot];

    /// <summary>The memory formed just after the one in <paramref name="slot"/>, or -1.</summary>
    public int Next(int slot) => _next[slot];

    /// <summary>Puts the slot in place by its memory's id.</summary>
    public void Add(int slot, Guid id, MemoryEntry?[] entries)
    {
        var after = _last;
        while (after >= 0 && entries[after]!.Id.CompareTo(id) > 0)
        {
            after = _previous[after];
        }

        var before = after >= 0 ? _next[after] : _first;
        _previous[slot] = after;
        _next[slot] = before;
        if (after >= 0)
        {
            _next[after] = slot;
        }
        else
        {
            _first = slot;
        }

        if (before >= 0)
        {
            _previous[before] = slot;
        }
        else
        {
            _last = slot;
        }
    }

    public void Remove(int slot)
    {
        var (before, after) = (_previous[slot], _next[slot]);
        if (before >= 0)
        {
            _next[before] = after;
        }
        else
        {
            _first = after;
        }

        if (after >= 0)
        {
            _previous[after] = before;
        }
        else
        {
            _last = before;
        }

        _previous[slot] = -1;
        _next[slot] = -1;
    }

    public void Grow(int capacity)
    {
        var old = _previous.Length;
        Array.Resize(ref _previous, capacity);
        Array.Resize(ref _next, capacity);
        _previous.AsSpan(old).Fill(-1);
        _next.AsSpan(old).Fill(-1);
    }

    private static int[] Filled(int capacity)
    {
        var slots = new int[capacity];
        Array.Fill(slots, -1);
        return slots;
    }
}
