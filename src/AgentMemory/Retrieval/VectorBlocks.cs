namespace AgentMemory.Retrieval;

/// <summary>
/// The unit vectors of an index's slots, in fixed blocks of <see cref="SlotsPerBlock"/> slots each: an index that
/// grows allocates only its new block (one contiguous array doubling would copy every vector it holds and leave the
/// old array to the collector), and a slot's vector never moves. Only the last block grows, from 16 slots, so an
/// agent with few memories holds little. Guarded by the index's lock.
/// </summary>
internal sealed class VectorBlocks
{
    public const int SlotsPerBlock = 64;
    private const int BlockShift = 6;
    private const int FirstBlockSlots = 16;

    private float[][] _blocks = [];

    /// <summary>The length of every vector here; 0 until the first one is set.</summary>
    public int Dimensions { get; private set; }

    /// <summary>The vector of a slot that has one (unit length).</summary>
    public ReadOnlySpan<float> At(int slot) =>
        _blocks[slot >> BlockShift].AsSpan((slot & (SlotsPerBlock - 1)) * Dimensions, Dimensions);

    /// <summary>Scales <paramref name="source"/> to unit length into the slot's place; false when it has no direction.</summary>
    public bool Set(int slot, ReadOnlySpan<float> source)
    {
        if (Dimensions == 0)
        {
            Dimensions = source.Length;
        }

        return UnitVectors.TryNormalize(source, Place(slot));
    }

    private Span<float> Place(int slot)
    {
        var block = slot >> BlockShift;
        var offset = slot & (SlotsPerBlock - 1);
        if (block >= _blocks.Length)
        {
            Array.Resize(ref _blocks, Math.Max(block + 1, _blocks.Length * 2));
        }

        var slots = _blocks[block] is { } existing ? existing.Length / Dimensions : 0;
        if (offset >= slots)
        {
            var grown = Math.Min(SlotsPerBlock, Math.Max(FirstBlockSlots, Math.Max(offset + 1, slots * 2)));
            Array.Resize(ref _blocks[block], grown * Dimensions);
        }

        return _blocks[block].AsSpan(offset * Dimensions, Dimensions);
    }
}
