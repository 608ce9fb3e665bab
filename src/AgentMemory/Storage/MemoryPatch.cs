using System.Text.Json;

namespace AgentMemory.Storage;

/// <summary>
/// A change of some fields of one memory (see <see cref="MemoryChangeSet.Updates"/>). The store sets the fields named
/// by <see cref="Fields"/> from <see cref="Entry"/> and leaves the others as stored; utility moves by
/// <see cref="UtilityDelta"/>; <see cref="MemoryEntry.UpdatedAt"/> and <see cref="MemoryEntry.LastAccessedAt"/> keep
/// the later value; <see cref="MemoryEntry.Version"/> becomes the larger of the stored version plus one and the
/// entry's (a patch of the embedding alone, which is derived from the content, keeps the larger of the two). A patch of a memory the store does not hold inserts <see cref="Entry"/> whole, unless the memory was
/// deleted: a deleted memory is never written back.
/// </summary>
/// <param name="Entry">The memory as the writing host holds it after the change.</param>
/// <param name="Fields">The fields the change set.</param>
/// <param name="UtilityDelta">How much the change moved the utility (with <see cref="MemoryFields.Utility"/>).</param>
public sealed record MemoryPatch(MemoryEntry Entry, MemoryFields Fields, double UtilityDelta = 0)
{
    /// <summary>The fields in which <paramref name="after"/> differs from <paramref name="before"/>.</summary>
    /// <param name="before">The memory before the change.</param>
    /// <param name="after">The memory after it.</param>
    /// <returns>The changed fields.</returns>
    public static MemoryFields Diff(MemoryEntry before, MemoryEntry after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var fields = MemoryFields.None;
        if (before.Type != after.Type)
        {
            fields |= MemoryFields.Type;
        }

        if (!string.Equals(before.Content, after.Content, StringComparison.Ordinal))
        {
            fields |= MemoryFields.Content;
        }

        if (!JsonElement.DeepEquals(before.Metadata, after.Metadata))
        {
            fields |= MemoryFields.Metadata;
        }

        if (before.Importance != after.Importance)
        {
            fields |= MemoryFields.Importance;
        }

        if (!before.Valence.Equals(after.Valence))
        {
            fields |= MemoryFields.Valence;
        }

        if (!before.Tags.SequenceEqual(after.Tags, StringComparer.Ordinal))
        {
            fields |= MemoryFields.Tags;
        }

        if (!before.Utility.Equals(after.Utility))
        {
            fields |= MemoryFields.Utility;
        }

        if (before.Source != after.Source || before.Trusted != after.Trusted)
        {
            fields |= MemoryFields.Provenance;
        }

        if (!before.SourceIds.SequenceEqual(after.SourceIds))
        {
            fields |= MemoryFields.SourceIds;
        }

        if (!SameEmbedding(before, after))
        {
            fields |= MemoryFields.Embedding;
        }

        if (before.ExpiresAt != after.ExpiresAt)
        {
            fields |= MemoryFields.ExpiresAt;
        }

        if (before.CreatedAt != after.CreatedAt)
        {
            fields |= MemoryFields.CreatedAt;
        }

        return fields;
    }

    /// <summary>
    /// The memory as a store holds it after this patch is applied to <paramref name="stored"/>: the merge rules of
    /// <see cref="MemoryPatch"/>, for store implementers that merge in process.
    /// </summary>
    /// <param name="stored">The stored memory.</param>
    /// <returns>The merged memory.</returns>
    public MemoryEntry ApplyTo(MemoryEntry stored) => Merge(stored, isInsert: false);

    /// <summary>
    /// The memory after an insert of <see cref="Entry"/> found it stored already (a write repeated): every field but
    /// utility and access statistics from the entry, and the larger version, so writing the same memory twice changes nothing.
    /// </summary>
    /// <param name="stored">The stored memory.</param>
    /// <param name="inserted">The inserted memory.</param>
    /// <returns>The merged memory.</returns>
    public static MemoryEntry ApplyInsert(MemoryEntry stored, MemoryEntry inserted) =>
        new MemoryPatch(inserted, MemoryFields.All & ~MemoryFields.Utility).Merge(stored, isInsert: true);

    private MemoryEntry Merge(MemoryEntry stored, bool isInsert)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var p = Entry;
        var f = Fields;
        var embed = f.HasFlag(MemoryFields.Embedding)
            && (f.HasFlag(MemoryFields.Content) || string.Equals(stored.Content, p.Content, StringComparison.Ordinal));
        return stored with
        {
            Type = f.HasFlag(MemoryFields.Type) ? p.Type : stored.Type,
            Content = f.HasFlag(MemoryFields.Content) ? p.Content : stored.Content,
            Metadata = f.HasFlag(MemoryFields.Metadata) ? p.Metadata : stored.Metadata,
            Importance = f.HasFlag(MemoryFields.Importance) ? p.Importance : stored.Importance,
            Valence = f.HasFlag(MemoryFields.Valence) ? p.Valence : stored.Valence,
            Tags = f.HasFlag(MemoryFields.Tags) ? p.Tags : stored.Tags,
            Utility = f.HasFlag(MemoryFields.Utility) ? Math.Clamp(stored.Utility + UtilityDelta, -1, 1) : stored.Utility,
            Source = f.HasFlag(MemoryFields.Provenance) ? p.Source : stored.Source,
            Trusted = f.HasFlag(MemoryFields.Provenance) ? p.Trusted : stored.Trusted,
            SourceIds = f.HasFlag(MemoryFields.SourceIds) ? p.SourceIds : stored.SourceIds,
            Embedding = embed ? p.Embedding : stored.Embedding,
            EmbeddingModel = embed ? p.EmbeddingModel : stored.EmbeddingModel,
            ExpiresAt = f.HasFlag(MemoryFields.ExpiresAt) ? p.ExpiresAt : stored.ExpiresAt,
            CreatedAt = f.HasFlag(MemoryFields.CreatedAt) ? p.CreatedAt : stored.CreatedAt,
            UpdatedAt = p.UpdatedAt > stored.UpdatedAt ? p.UpdatedAt : stored.UpdatedAt,
            LastAccessedAt = p.LastAccessedAt > stored.LastAccessedAt ? p.LastAccessedAt : stored.LastAccessedAt,
            Version = isInsert || f == MemoryFields.Embedding ? Math.Max(stored.Version, p.Version) : Math.Max(stored.Version + 1, p.Version),
        };
    }

    /// <summary>
    /// A utility as the memory system keeps it: in [-1, 1], and a multiple of 2^-40. Differences and sums of such
    /// values are exact in a double, so a store adding a host's utility delta to the value the host started from gets
    /// exactly the host's value, however deltas are summed, on every host.
    /// </summary>
    /// <param name="utility">A utility.</param>
    /// <returns>The utility, rounded to a multiple of 2^-40 and clamped to [-1, 1].</returns>
    public static double ClampUtility(double utility) => Math.Clamp(Math.Round(utility * UtilityScale) / UtilityScale, -1, 1);

    private const double UtilityScale = 1L << 40;

    private static bool SameEmbedding(MemoryEntry before, MemoryEntry after) =>
        string.Equals(before.EmbeddingModel, after.EmbeddingModel, StringComparison.Ordinal)
        && (before.Embedding, after.Embedding) switch
        {
            (null, null) => true,
            ({ } a, { } b) => a.Span.SequenceEqual(b.Span),
            _ => false,
        };
}
