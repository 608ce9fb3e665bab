using System.Numerics.Tensors;

namespace AgentMemory.Retrieval;

/// <summary>Vectors scaled to unit length, so a dot product is their cosine (the index, recall and consolidation all compare so).</summary>
internal static class UnitVectors
{
    /// <summary>Writes <paramref name="source"/> scaled to unit length into <paramref name="destination"/>; false, with <paramref name="destination"/> cleared, when it has no direction (zero or not finite).</summary>
    public static bool TryNormalize(ReadOnlySpan<float> source, Span<float> destination)
    {
        var norm = TensorPrimitives.Norm(source);
        if (norm > 0 && float.IsFinite(norm))
        {
            TensorPrimitives.Divide(source, norm, destination);
            return true;
        }

        destination.Clear();
        return false;
    }
}
