using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace AgentMemory.Retrieval;

/// <summary>
/// The documents (slots) that hold one term, with the term's count in each; unordered. A value kept in the index's
/// term dictionary and changed there in place. Most terms of real text (names, numbers, ids, rare words) occur in one
/// memory: such a term's one posting is kept in the value itself, so it costs no object at all. From the second
/// posting on they are kept in blocks (slots in a block's first half, counts in its second): the first block doubles
/// up to <see cref="BlockPairs"/> postings, and a frequent term then takes one more block of that size at a time.
/// A term's postings never move to one larger array: copying a frequent word's postings into fresh memory on a remember
/// cost that call tens of microseconds (mostly the page faults of the new array) and left the old array as garbage.
/// </summary>
internal struct Postings
{
    /// <summary>Postings a full block holds (4 KiB of slots and counts: allocated from the young generation, not the large object heap).</summary>
    public const int BlockPairs = 1 << BlockShift;

    private const int BlockShift = 9;

    private int[]?[]? _blocks;

    // The only posting, while there is one and no block yet.
    private int _slot;
    private int _count;

    public int Count { get; private set; }

    /// <summary>How many runs of postings <see cref="SlotsIn"/> and <see cref="CountsIn"/> hand out.</summary>
    public readonly int Chunks => _blocks is null ? Count : ((Count - 1) >> BlockShift) + 1;

    /// <summary>The slots of one run; read through the dictionary entry (or a copy) that is not changed while the span is used.</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<int> SlotsIn(int chunk) =>
        _blocks is null ? MemoryMarshal.CreateReadOnlySpan(in _slot, Count) : _blocks[chunk].AsSpan(0, PairsIn(chunk));

    /// <summary>The term's count in each slot of <see cref="SlotsIn"/>, in the same order.</summary>
    [UnscopedRef]
    public readonly ReadOnlySpan<int> CountsIn(int chunk)
    {
        if (_blocks is null)
        {
            return MemoryMarshal.CreateReadOnlySpan(in _count, Count);
        }

        var block = _blocks[chunk]!;
        return block.AsSpan(block.Length / 2, PairsIn(chunk));
    }

    public void Add(int slot, int count)
    {
        if (_blocks is null)
        {
            if (Count == 0)
            {
                _slot = slot;
                _count = count;
                Count = 1;
                return;
            }

            _blocks = [[_slot, 0, _count, 0]];
        }

        var chunk = Count >> BlockShift;
        var offset = Count & (BlockPairs - 1);
        int[] block;
        if (chunk == 0)
        {
            block = _blocks[0]!;
            if (offset == block.Length / 2)
            {
                block = Grown(block);
                _blocks[0] = block;
            }
        }
        else
        {
            if (chunk == _blocks.Length)
            {
                Array.Resize(ref _blocks, chunk * 2);
            }

            block = _blocks[chunk] ??= new int[BlockPairs * 2];
        }

        block[offset] = slot;
        block[(block.Length / 2) + offset] = count;
        Count++;
    }

    public void Remove(int slot)
    {
        var (chunk, index) = Find(slot);
        if (index < 0)
        {
            return;
        }

        Count--;
        if (_blocks is null)
        {
            return;
        }

        // The last posting takes the removed one's place; a block it empties is let go.
        var lastChunk = Count >> BlockShift;
        var lastOffset = Count & (BlockPairs - 1);
        var last = _blocks[lastChunk]!;
        var target = _blocks[chunk]!;
        target[index] = last[lastOffset];
        target[(target.Length / 2) + index] = last[(last.Length / 2) + lastOffset];
        if (lastOffset == 0 && lastChunk > 0)
        {
            _blocks[lastChunk] = null;
        }
    }

    private readonly (int Chunk, int Index) Find(int slot)
    {
        for (var chunk = 0; chunk < Chunks; chunk++)
        {
            var index = SlotsIn(chunk).IndexOf(slot);
            if (index >= 0)
            {
                return (chunk, index);
            }
        }

        return (0, -1);
    }

    private readonly int PairsIn(int chunk) => Math.Min(Count - (chunk << BlockShift), BlockPairs);

    /// <summary>The first block at twice its capacity (at most <see cref="BlockPairs"/>), slots and counts in their halves.</summary>
    private static int[] Grown(int[] block)
    {
        var capacity = block.Length / 2;
        var grown = new int[capacity * 4];
        block.AsSpan(0, capacity).CopyTo(grown);
        block.AsSpan(capacity, capacity).CopyTo(grown.AsSpan(capacity * 2));
        return grown;
    }
}
