using System.Numerics.Tensors;
using System.Runtime.InteropServices;

namespace AgentMemory.Retrieval;

/// <summary>
/// Each slot's embedding, as its memory holds it (no second, normalized copy), with the inverse of its length, so the
/// cosine with a unit-length query is one dot product and one multiplication. Embeddings are immutable once a memory
/// holds them, so the slot shares the memory's array: all of it, or the memory's part of a larger one (a load reads
/// many embeddings into one array).
/// </summary>
internal sealed class SlotVectors(int capacity)
{
    private float[]?[] _vectors = new float[]?[capacity];
    private int[] _offsets = new int[capacity];
    private float[] _inverseNorms = new float[capacity];

    /// <summary>The length of every vector here; 0 until the first one is set.</summary>
    public int Dimensions { get; private set; }

    /// <summary>Keeps <paramref name="vector"/> for the slot; false (and the slot cleared) when it has no direction (zero or not finite).</summary>
    public bool Set(int slot, ReadOnlyMemory<float> vector)
    {
        var norm = TensorPrimitives.Norm(vector.Span);
        if (!(norm > 0 && float.IsFinite(norm)))
        {
            Clear(slot);
            return false;
        }

        if (Dimensions == 0)
        {
            Dimensions = vector.Length;
        }

        if (MemoryMarshal.TryGetArray(vector, out var segment))
        {
            _vectors[slot] = segment.Array;
            _offsets[slot] = segment.Offset;
        }
        else
        {
            _vectors[slot] = vector.ToArray();
            _offsets[slot] = 0;
        }

        _inverseNorms[slot] = 1f / norm;
        return true;
    }

    /// <summary>Whether the slot has a vector (one with a direction).</summary>
    public bool Has(int slot) => _vectors[slot] is not null;

    /// <summary>Lets go of the slot's vector.</summary>
    public void Clear(int slot)
    {
        _vectors[slot] = null;
        _inverseNorms[slot] = 0;
    }

    /// <summary>The cosine of the slot's vector (the slot has one) with <paramref name="unitQuery"/>, a unit-length vector of <see cref="Dimensions"/>.</summary>
    public float Cosine(int slot, ReadOnlySpan<float> unitQuery) =>
        TensorPrimitives.Dot(new ReadOnlySpan<float>(_vectors[slot], _offsets[slot], unitQuery.Length), unitQuery) * _inverseNorms[slot];

    public void Grow(int capacity)
    {
        Array.Resize(ref _vectors, capacity);
        Array.Resize(ref _offsets, capacity);
        Array.Resize(ref _inverseNorms, capacity);
    }
}
