using System.ComponentModel.DataAnnotations;

namespace AgentMemory;

/// <summary>
/// Options of consolidation: the background run over every agent and the steps of one run (see
/// <see cref="IMemorySystem.ConsolidateAsync"/>).
/// </summary>
public sealed class ConsolidationOptions
{
    /// <summary>Whether the background service consolidates every agent known to the store; true by default. <see cref="IMemorySystem.ConsolidateAsync"/> works either way.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Time between two background runs; 6 hours by default (1 second to 365 days).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(6);

    /// <summary>Time from host start to the first background run; 5 minutes by default (0 to 365 days).</summary>
    public TimeSpan StartupDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// Random extra wait added to the start-up delay and to each interval, as a fraction of the interval, so hosts
    /// started together do not run together; 0.1 by default.
    /// </summary>
    [Range(0.0, 1.0)]
    public double Jitter { get; set; } = 0.1;

    /// <summary>Working memories an agent keeps; beyond it the oldest are promoted to episodic or dropped. 20 by default.</summary>
    [Range(0, int.MaxValue)]
    public int WorkingCapacity { get; set; } = 20;

    /// <summary>Importance from which a working memory over capacity is promoted to episodic instead of dropped; <see cref="Importance.Medium"/> by default.</summary>
    public Importance WorkingPromotionImportance { get; set; } = Importance.Medium;

    /// <summary>Whether near-duplicate memories of one type are merged; true by default.</summary>
    public bool MergeDuplicates { get; set; } = true;

    /// <summary>Embedding cosine similarity from which two memories of one type are near-duplicates; 0.95 by default.</summary>
    [Range(0.5, 1.0)]
    public double DuplicateSimilarity { get; set; } = 0.95;

    /// <summary>Access count from which an episodic memory is promoted to a semantic one; 5 by default.</summary>
    [Range(1, int.MaxValue)]
    public int PromotionAccessCount { get; set; } = 5;

    /// <summary>Importance from which an episodic memory is promoted to a semantic one; <see cref="Importance.High"/> by default.</summary>
    public Importance PromotionImportance { get; set; } = Importance.High;

    /// <summary>Embedding cosine similarity from which episodic memories belong to one cluster; 0.8 by default.</summary>
    [Range(0.0, 1.0)]
    public double ClusterSimilarity { get; set; } = 0.8;

    /// <summary>Episodic memories a cluster needs to become one semantic memory; 3 by default.</summary>
    [Range(2, 1000)]
    public int ClusterMinSize { get; set; } = 3;

    /// <summary>
    /// Strength, in days, of a medium-importance memory never recalled: its retention exp(−t / S) falls to 37% after
    /// that long without access. Each importance level above doubles it, each tenfold of accesses adds the base again,
    /// and utility scales it by (1 + utility / 2). 7 days by default.
    /// </summary>
    [Range(0.001, 36500.0)]
    public double BaseStrengthDays { get; set; } = 7;

    /// <summary>Retention below which a memory may be forgotten when its type is over capacity; 0.05 by default.</summary>
    [Range(0.0, 1.0)]
    public double RetentionThreshold { get; set; } = 0.05;

    /// <summary>Episodic memories an agent keeps before weak ones are forgotten; 10,000 by default.</summary>
    [Range(0, int.MaxValue)]
    public int EpisodicCapacity { get; set; } = 10_000;

    /// <summary>Semantic memories an agent keeps before weak ones are forgotten; 5,000 by default.</summary>
    [Range(0, int.MaxValue)]
    public int SemanticCapacity { get; set; } = 5_000;

    /// <summary>Procedural memories an agent keeps before weak ones are forgotten; no limit by default.</summary>
    [Range(0, int.MaxValue)]
    public int ProceduralCapacity { get; set; } = int.MaxValue;

    /// <summary>Whether a registered <c>IChatClient</c> writes the sentence of a promoted memory; true by default (extractive when none is registered).</summary>
    public bool UseChatClient { get; set; } = true;

    /// <summary>Time allowed to the chat client for one generalization before the extractive text is used; 30 seconds by default.</summary>
    public TimeSpan ChatClientTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal int CapacityOf(MemoryType type) => type switch
    {
        MemoryType.Working => WorkingCapacity,
        MemoryType.Episodic => EpisodicCapacity,
        MemoryType.Semantic => SemanticCapacity,
        _ => ProceduralCapacity,
    };
}
