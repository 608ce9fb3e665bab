namespace AgentMemory.Retrieval;

/// <summary>
/// The documents (slots) that hold one term, with the term's count in each; unordered. A value kept in the index's
/// term dictionary and changed there in place, over one array (slots in its first half, counts in its second), so a
/// term costs one small array: most terms of real text occur in one or two memories.
/// </summary>
internal struct Postings
{
    private int[]? _data;

    public int Count { get; private set; }

    public readonly ReadOnlySpan<int> Slots => _data is null ? default : _data.AsSpan(0, Count);

    public readonly ReadOnlySpan<int> Counts => _data is null ? default : _data.AsSpan(Capacity, Count);

    private readonly int Capacity => _data is null ? 0 : _data.Length / 2;

    public void Add(int slot, int count)
    {
        var capacity = Capacity;
        if (Count == capacity)
        {
            var grown = Math.Max(1, capacity * 2);
            var data = new int[grown * 2];
            if (_data is not null)
            {
                _data.AsSpan(0, Count).CopyTo(data);
                _data.AsSpan(capacity, Count).CopyTo(data.AsSpan(grown));
            }

            _data = data;
            capacity = grown;
        }

        _data![Count] = slot;
        _data[capacity + Count] = count;
        Count++;
    }

    public void Remove(int slot)
    {
        var index = Slots.IndexOf(slot);
        if (index < 0)
        {
            return;
        }

        var capacity = Capacity;
        Count--;
        _data![index] = _data[Count];
        _data[capacity + index] = _data[capacity + Count];
    }
}
