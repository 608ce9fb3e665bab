using System.Text.Json;

namespace AgentMemory;

/// <summary>
/// One memory of one agent: an immutable snapshot. Every change (update, reinforcement, access) produces a new
/// snapshot; <see cref="Version"/> grows with every change of content or attributes.
/// </summary>
public sealed record MemoryEntry
{
    /// <summary>The memory's id: a time-ordered GUID (version 7) unless the caller supplied one.</summary>
    public required Guid Id { get; init; }

    /// <summary>The agent the memory belongs to. Memories are always scoped by agent.</summary>
    public required string AgentId { get; init; }

    /// <summary>The kind of memory.</summary>
    public required MemoryType Type { get; init; }

    /// <summary>The memory's text.</summary>
    public required string Content { get; init; }

    /// <summary>
    /// Free-form metadata, always a JSON object (empty when none was given). The element is immutable and safe to
    /// share; it round-trips through every store as the same JSON value.
    /// </summary>
    public JsonElement Metadata { get; init; } = MemoryJson.EmptyObject;

    /// <summary>How much the memory matters.</summary>
    public Importance Importance { get; init; } = Importance.Medium;

    /// <summary>Emotional valence, from -1 (negative) to 1 (positive); 0 is neutral.</summary>
    public double Valence { get; init; }

    /// <summary>Tags: a set of lower-case strings, in the order first given.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>When the memory was formed (UTC, microsecond precision).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the memory was last recalled or reinforced (UTC, microsecond precision).</summary>
    public required DateTimeOffset LastAccessedAt { get; init; }

    /// <summary>When the memory was last changed (UTC, microsecond precision).</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>How many times the memory was recalled or reinforced.</summary>
    public long AccessCount { get; init; }

    /// <summary>
    /// Learned usefulness in [-1, 1]: 0 is neutral (the start), positive when recalling the memory led to success,
    /// negative when it led to failure.
    /// </summary>
    public double Utility { get; init; }

    /// <summary>Where the memory came from.</summary>
    public MemorySource Source { get; init; } = MemorySource.Api;

    /// <summary>
    /// Whether the memory's content comes from a trusted party (the application, not a user, a model or a tool). A
    /// memory made from others is as trusted as the least trusted of them. Recall can be limited to trusted memories
    /// (<see cref="MemoryFilter.TrustedOnly"/>), and a model is shown which memories are not.
    /// </summary>
    public bool Trusted { get; init; } = true;

    /// <summary>For consolidated memories: the ids of the memories this one was made from.</summary>
    public IReadOnlyList<Guid> SourceIds { get; init; } = [];

    /// <summary>The memory's embedding vector, when one has been computed.</summary>
    public ReadOnlyMemory<float>? Embedding { get; init; }

    /// <summary>The id of the embedding generator (model) that produced <see cref="Embedding"/>.</summary>
    public string? EmbeddingModel { get; init; }

    /// <summary>When set, the memory is never returned after this time and is removed by consolidation.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Starts at 1 and grows with every change; a store never replaces a newer version with an older one.</summary>
    public long Version { get; init; } = 1;

    /// <summary>Whether the memory has expired at <paramref name="now"/>.</summary>
    /// <param name="now">The current time.</param>
    /// <returns><see langword="true"/> when <see cref="ExpiresAt"/> is set and not after <paramref name="now"/>.</returns>
    public bool IsExpired(DateTimeOffset now) => ExpiresAt is { } expiry && expiry <= now;
}
