using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace AgentMemory.Retrieval;

/// <summary>
/// The documents (slots) that hold one term, with the term's count in each; unordered. A value kept in the index's
/// term dictionary and changed there in place. Most terms of real text (names, numbers, ids, rare words) occur in one
/// memory: such a term's one posting is kept in the value itself, so it costs no object at all; from the second
/// posting on they are kept in one array (slots in its first half, counts in its second).
/// </summary>
internal struct Postings
{
    private int[]? _data;

    // The only posting, while there is one and no array yet.
    private int _slot;
    private int _count;

    public int Count { get; private set; }

    /// <summary>The slots; read through the dictionary entry (or a copy) that is not changed while the span is used.</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<int> Slots =>
        _data is not null ? _data.AsSpan(0, Count) : MemoryMarshal.CreateReadOnlySpan(in _slot, Count);

    /// <summary>The term's count in each slot of <see cref="Slots"/>, in the same order.</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<int> Counts =>
        _data is not null ? _data.AsSpan(Capacity, Count) : MemoryMarshal.CreateReadOnlySpan(in _count, Count);

    private readonly int Capacity => _data is null ? 1 : _data.Length / 2;

    public void Add(int slot, int count)
    {
        if (_data is null && Count == 0)
        {
            _slot = slot;
            _count = count;
            Count = 1;
            return;
        }

        var capacity = Capacity;
        if (Count == capacity)
        {
            var grown = capacity * 2;
            var data = new int[grown * 2];
            Slots.CopyTo(data);
            Counts.CopyTo(data.AsSpan(grown));
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

        Count--;
        if (_data is null)
        {
            return;
        }

        var capacity = Capacity;
        _data[index] = _data[Count];
        _data[capacity + index] = _data[capacity + Count];
    }
}
