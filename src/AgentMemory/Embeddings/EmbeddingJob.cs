using AgentMemory.Retrieval;

namespace AgentMemory.Embeddings;

/// <summary>A memory to embed (or a flush marker when <see cref="Index"/> is null).</summary>
internal sealed record EmbeddingJob(AgentIndex? Index, Guid MemoryId, string Content, TaskCompletionSource? Flushed = null);
