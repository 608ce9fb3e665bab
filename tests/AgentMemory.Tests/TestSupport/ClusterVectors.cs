using static AgentMemory.Tests.TestSupport.VectorEmbeddingGenerator;

namespace AgentMemory.Tests.TestSupport;

/// <summary>Embeddings that make three texts a cluster for consolidation.</summary>
public static class ClusterVectors
{
    /// <summary>
    /// Three vectors pairwise at cosine 0.83 (a cluster, not duplicates), given to <paramref name="texts"/> in order;
    /// the second is the most central.
    /// </summary>
    public static VectorEmbeddingGenerator For(IReadOnlyList<string> texts) => new VectorEmbeddingGenerator()
        .Set(texts[0], Vector((2, 1f), (3, 0.45f)))
        .Set(texts[1], Vector((2, 1f), (3, 0.2f), (4, 0.2f), (6, 0.3f)))
        .Set(texts[2], Vector((2, 1f), (4, 0.45f)));
}
