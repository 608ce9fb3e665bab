using System.ComponentModel.DataAnnotations;

namespace AgentMemory;

/// <summary>Options of embedding.</summary>
public sealed class EmbeddingOptions
{
    /// <summary>
    /// How many memories are sent to a registered embedding generator at once; 64 by default. A batch that is not full
    /// waits 2 ms for more memories before it is sent, so an agent remembering in a burst makes full batches rather than
    /// a call for every few memories.
    /// </summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 64;

    /// <summary>
    /// How many batches a registered embedding generator is asked to embed at once; 4 by default. A remote embedding
    /// service answers one batch in tens or hundreds of milliseconds, so one call at a time would cap how many memories
    /// a second get their embeddings. The built-in generator computes one batch at a time on a thread of its own (it is
    /// CPU work of a few microseconds a memory), taking whatever is queued up to 1,024 memories rather than
    /// <see cref="BatchSize"/>.
    /// </summary>
    [Range(1, 64)]
    public int MaxConcurrentCalls { get; set; } = 4;

    /// <summary>
    /// How long a background call to a registered generator may take before it counts as failed (and is retried after
    /// <see cref="RetryDelay"/>); 10 seconds by default. Memories stay recallable by their words meanwhile, and a
    /// <c>FlushAsync</c> waits no longer than this for a generator that stopped answering.
    /// </summary>
    // Checked by AgentMemoryOptionsTimeValidator: 00:00:00.001 to 00:10:00.
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long embedding a recall's task may take before recall goes on with word match alone; 2 seconds by default.
    /// It is on the caller's path, so it is short.
    /// </summary>
    // Checked by AgentMemoryOptionsTimeValidator: 00:00:00.001 to 00:10:00.
    public TimeSpan QueryTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long to wait before retrying a failed embedding batch; 5 seconds by default.</summary>
    // Checked by AgentMemoryOptionsTimeValidator: 00:00:00.001 to 01:00:00.
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether the built-in embedding is used when the host registers no generator; <see langword="true"/> by default.
    /// When off (and no generator is registered), relevance is lexical only.
    /// </summary>
    public bool UseBuiltInGenerator { get; set; } = true;

    /// <summary>The dimension of the built-in embedding (used when no generator is registered); 384 by default.</summary>
    [Range(16, 4096)]
    public int BuiltInDimensions { get; set; } = 384;
}
