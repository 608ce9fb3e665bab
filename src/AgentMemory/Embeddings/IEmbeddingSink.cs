namespace AgentMemory.Embeddings;

/// <summary>Where computed embeddings go: the agents' memories, which emit the change records that save them.</summary>
internal interface IEmbeddingSink
{
    /// <summary>Applies a batch of computed embeddings; <paramref name="vectors"/> are in the order of <paramref name="jobs"/>.</summary>
    void Apply(IReadOnlyList<EmbeddingJob> jobs, float[][] vectors, string modelId);
}
