namespace AgentMemory.Storage;

/// <summary>
/// The fields of a memory a <see cref="MemoryPatch"/> changes. A store overwrites only these, so two hosts changing
/// different fields of one memory both keep their change (the later commit wins per field, never per row).
/// </summary>
[Flags]
public enum MemoryFields
{
    /// <summary>No field.</summary>
    None = 0,

    /// <summary><see cref="MemoryEntry.Type"/>.</summary>
    Type = 1 << 0,

    /// <summary><see cref="MemoryEntry.Content"/>.</summary>
    Content = 1 << 1,

    /// <summary><see cref="MemoryEntry.Metadata"/>.</summary>
    Metadata = 1 << 2,

    /// <summary><see cref="MemoryEntry.Importance"/>.</summary>
    Importance = 1 << 3,

    /// <summary><see cref="MemoryEntry.Valence"/>.</summary>
    Valence = 1 << 4,

    /// <summary><see cref="MemoryEntry.Tags"/>.</summary>
    Tags = 1 << 5,

    /// <summary><see cref="MemoryEntry.Utility"/>, applied as <see cref="MemoryPatch.UtilityDelta"/> added to the stored value.</summary>
    Utility = 1 << 6,

    /// <summary><see cref="MemoryEntry.Source"/> and <see cref="MemoryEntry.Trusted"/>.</summary>
    Provenance = 1 << 7,

    /// <summary><see cref="MemoryEntry.SourceIds"/>.</summary>
    SourceIds = 1 << 8,

    /// <summary>
    /// <see cref="MemoryEntry.Embedding"/> and <see cref="MemoryEntry.EmbeddingModel"/>: applied only when the patch
    /// also sets the content or the stored content is the patch's (a vector never lands on text it was not computed for).
    /// </summary>
    Embedding = 1 << 9,

    /// <summary><see cref="MemoryEntry.ExpiresAt"/>.</summary>
    ExpiresAt = 1 << 10,

    /// <summary><see cref="MemoryEntry.CreatedAt"/>.</summary>
    CreatedAt = 1 << 11,

    /// <summary>Every field.</summary>
    All = (1 << 12) - 1,
}
