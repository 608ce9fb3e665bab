using System.Text.Json;
using AgentMemory.Retrieval;
using AgentMemory.Validation;

namespace AgentMemory.Agents;

/// <summary>A draft after validation, with what the index needs computed outside any lock (a value: one less object per remember).</summary>
internal readonly record struct PreparedMemory(
    Guid? Id,
    MemoryType Type,
    string Content,
    JsonElement Metadata,
    Importance Importance,
    double Valence,
    IReadOnlyList<string> Tags,
    DateTimeOffset? CreatedAt,
    DateTimeOffset? ExpiresAt,
    ulong Identity,
    TermCounts Terms,
    MemorySource Source,
    bool Trusted)
{
    public static PreparedMemory From(MemoryDraft draft, MemoryValidator validator)
    {
        if (draft is null)
        {
            throw new ArgumentNullException(nameof(draft), "memory must not be null.");
        }

        if (draft.Id is { } id)
        {
            MemoryValidator.MemoryId(id, "id");
        }

        var content = validator.Content(draft.Content);
        var source = MemoryValidator.Enum(draft.Source, "source");
        var tags = MemoryValidator.Tags(draft.Tags);
        return new PreparedMemory(
            draft.Id,
            MemoryValidator.Enum(draft.Type, "type"),
            content,
            validator.Metadata(draft.Metadata),
            MemoryValidator.Enum(draft.Importance, "importance"),
            MemoryValidator.Valence(draft.Valence),
            tags,
            draft.CreatedAt is { } created ? TimeRules.Normalize(created) : null,
            draft.ExpiresAt is { } expires ? TimeRules.Normalize(expires) : null,
            ContentIdentity.Hash(content),
            TermCounts.ForMemory(content, tags),
            source,
            draft.Trusted ?? source is MemorySource.Api or MemorySource.Import);
    }
}
