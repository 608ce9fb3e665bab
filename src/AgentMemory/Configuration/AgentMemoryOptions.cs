using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace AgentMemory;

/// <summary>Options of the memory system, validated when the host starts.</summary>
public sealed class AgentMemoryOptions
{
    /// <summary>The most UTF-8 bytes a memory's content (and a recall's task) may have; 32 KiB by default.</summary>
    [Range(16, 16 * 1024 * 1024)]
    public int MaxContentBytes { get; set; } = 32 * 1024;

    /// <summary>The most UTF-8 bytes a memory's metadata may have as compact JSON; 64 KiB by default.</summary>
    [Range(2, 16 * 1024 * 1024)]
    public int MaxMetadataBytes { get; set; } = 64 * 1024;

    /// <summary>
    /// How many agents' memories are kept in process at most; beyond it the least recently used idle agent is
    /// evicted (and reloaded from the store on its next use). 10,000 by default.
    /// </summary>
    [Range(1, 10_000_000)]
    public int MaxCachedAgents { get; set; } = 10_000;

    /// <summary>Agents whose memories are loaded when the host starts, before the first call.</summary>
    public IList<string> PreloadAgents { get; } = [];

    /// <summary>How changes are saved.</summary>
    [ValidateObjectMembers]
    public PersistenceOptions Persistence { get; set; } = new();

    /// <summary>How memories are recalled.</summary>
    [ValidateObjectMembers]
    public RecallOptions Recall { get; set; } = new();

    /// <summary>How outcomes change what is recalled.</summary>
    [ValidateObjectMembers]
    public LearningOptions Learning { get; set; } = new();

    /// <summary>How memories are embedded.</summary>
    [ValidateObjectMembers]
    public EmbeddingOptions Embeddings { get; set; } = new();

    /// <summary>How memories are consolidated (promoted, merged, decayed and forgotten).</summary>
    [ValidateObjectMembers]
    public ConsolidationOptions Consolidation { get; set; } = new();

    /// <summary>How this host follows changes other hosts make in the same store.</summary>
    public ChangeFeedOptions ChangeFeed { get; set; } = new();
}
