using System.Runtime.InteropServices;

namespace AgentMemory.Embeddings;

/// <summary>Embedding values as an array a memory (and the index beside it) can keep without copying.</summary>
internal static class EmbeddingArrays
{
    /// <summary>
    /// The array under <paramref name="vector"/> when the vector is all of it (generators and the stores hand each
    /// embedding out once and never change it; a copy would double what every memory costs the collector), otherwise
    /// a copy.
    /// </summary>
    public static float[] Whole(ReadOnlyMemory<float> vector) =>
        MemoryMarshal.TryGetArray(vector, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : vector.ToArray();
}
