namespace AgentMemory.Retrieval;

/// <summary>The documents (slots) that hold one term, with the term's count in each; unordered.</summary>
internal sealed class Postings
{
    private int[] _slots = new int[4];
    private int[] _counts = new int[4];

    public int Count { get; private set; }

    public ReadOnlySpan<int> Slots => _slots.AsSpan(0, Count);

    public ReadOnlySpan<int> Counts => _counts.AsSpan(0, Count);

    public void Add(int slot, int count)
    {
        if (Count == _slots.Length)
        {
            Array.Resize(ref _slots, Count * 2);
            Array.Resize(ref _counts, Count * 2);
        }

        _slots[Count] = slot;
        _counts[Count] = count;
        Count++;
    }

    public void Remove(int slot)
    {
        var index = Array.IndexOf(_slots, slot, 0, Count);
        if (index < 0)
        {
            return;
        }

        Count--;
        _slots[index] = _slots[Count];
        _counts[index] = _counts[Count];
    }
}
