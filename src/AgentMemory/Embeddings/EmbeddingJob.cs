namespace AgentMemory.Embeddings;

/// <summary>A memory to embed (or a flush marker when <see cref="Target"/> is null); a value, so queuing one allocates nothing.</summary>
internal readonly record struct EmbeddingJob(IEmbeddingTarget? Target, Guid MemoryId, string Content, TaskCompletionSource? Flushed = null);
