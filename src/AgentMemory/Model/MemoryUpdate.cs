using System.Text.Json;

namespace AgentMemory;

/// <summary>A change to an existing memory: every property left <see langword="null"/> stays as it is.</summary>
public sealed class MemoryUpdate
{
    /// <summary>New content.</summary>
    public string? Content { get; init; }

    /// <summary>New metadata (a JSON object), replacing the old.</summary>
    public JsonElement? Metadata { get; init; }

    /// <summary>New importance.</summary>
    public Importance? Importance { get; init; }

    /// <summary>New tags, replacing the old.</summary>
    public IEnumerable<string>? Tags { get; init; }

    /// <summary>New type.</summary>
    public MemoryType? Type { get; init; }

    /// <summary>New emotional valence in [-1, 1].</summary>
    public double? Valence { get; init; }

    /// <summary>New expiry time.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Removes the expiry time: the memory no longer expires. Not together with <see cref="ExpiresAt"/>.</summary>
    public bool ClearExpiresAt { get; init; }
}
