using System.Text.Json;

namespace AgentMemory;

/// <summary>A memory to remember: its content and optional attributes. Validated when remembered.</summary>
/// <param name="content">The memory's text: not empty, no NUL characters, at most the configured length.</param>
public sealed class MemoryDraft(string content)
{
    /// <summary>The memory's text.</summary>
    public string Content { get; } = content;

    /// <summary>The kind of memory; <see cref="MemoryType.Episodic"/> by default.</summary>
    public MemoryType Type { get; init; } = MemoryType.Episodic;

    /// <summary>Optional metadata: a JSON object, for example <c>JsonSerializer.SerializeToElement(new { source = "chat" })</c>.</summary>
    public JsonElement? Metadata { get; init; }

    /// <summary>How much the memory matters; <see cref="Importance.Medium"/> by default.</summary>
    public Importance Importance { get; init; } = Importance.Medium;

    /// <summary>Emotional valence in [-1, 1]; 0 by default.</summary>
    public double Valence { get; init; }

    /// <summary>Optional tags (at most 64, each 1 to 100 characters); stored lower-case, duplicates removed.</summary>
    public IEnumerable<string>? Tags { get; init; }

    /// <summary>When the memory was formed; the current time when not set (for example when importing history).</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>Optional expiry: after this time the memory is never returned and is later removed.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Where the memory comes from; <see cref="MemorySource.Api"/> by default.</summary>
    public MemorySource Source { get; init; } = MemorySource.Api;

    /// <summary>
    /// Whether the content comes from a trusted party; by default trusted when the source is the API or an import,
    /// and not when it is a user, an assistant or a tool.
    /// </summary>
    public bool? Trusted { get; init; }

    /// <summary>
    /// Optional id chosen by the caller (never <see cref="Guid.Empty"/>), which makes a retried remember
    /// idempotent; a time-ordered GUID is generated when not set.
    /// </summary>
    public Guid? Id { get; init; }

    /// <summary>Creates a draft from its content, so a plain string can be passed where a draft is expected.</summary>
    /// <param name="content">The memory's text.</param>
    public static implicit operator MemoryDraft(string content) => new(content);

    /// <summary>Creates a draft from its content.</summary>
    /// <param name="content">The memory's text.</param>
    /// <returns>A draft with default attributes.</returns>
    public static MemoryDraft FromString(string content) => new(content);
}
