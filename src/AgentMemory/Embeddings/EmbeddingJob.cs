using AgentMemory.Retrieval;

namespace AgentMemory.Embeddings;

/// <summary>A memory to embed (or a flush marker when <see cref="Index"/> is null); a value, so queuing one allocates nothing.</summary>
internal readonly record struct EmbeddingJob(AgentIndex? Index, Guid MemoryId, string Content, TaskCompletionSource? Flushed = null);
