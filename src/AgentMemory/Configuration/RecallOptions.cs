using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Options;

namespace AgentMemory;

/// <summary>Options of recall scoring.</summary>
public sealed class RecallOptions
{
    /// <summary>The weights of the score's components.</summary>
    [ValidateObjectMembers]
    public RecallWeights Weights { get; set; } = new();

    /// <summary>
    /// The share of semantic (embedding) similarity in relevance, the rest being lexical (BM25); 0.5 by default.
    /// </summary>
    [Range(0.0, 1.0)]
    public double SemanticShare { get; set; } = 0.5;

    /// <summary>
    /// Whether each recall calibrates a registered embedding generator's cosines to the memories it may return (the
    /// least of them counts as 0, the best as 1), so one <see cref="SemanticShare"/> serves any model — a local one, a
    /// hosted one — whatever the range of its cosines. (The built-in generator scales its cosines to the task's own
    /// instead.) <see langword="true"/> by default; off, a cosine counts as it is.
    /// </summary>
    public bool CalibrateSemantic { get; set; } = true;

    /// <summary>
    /// How much a memory's context counts: the more relevant of its two neighbours in the order memories were formed
    /// (what the agent took in just before and just after it) lifts its relevance by this share of the neighbour's,
    /// scaled by what it lacks (<c>own + w·neighbour·(1 − own)</c>): an answer is often remembered next to the memory
    /// that matches the question. 0 turns it off. Default 0.1: measured, it lifts LoCoMo dev recall@10 (categories 1-4)
    /// from 0.599 to 0.620 with the built-in embedder and from 0.670 to 0.678 with arctic-embed-xs, and leaves the
    /// learning benchmark, whose consecutive tasks are unrelated, where it was (0.900); more helps conversations more
    /// (0.686 and 0.715 at 0.5) but misleads agents whose neighbouring memories are unrelated (0.862 at 0.5).
    /// </summary>
    [Range(0.0, 1.0)]
    public double NeighbourWeight { get; set; } = 0.1;

    /// <summary>The default least relevance (in [0, 1]) for a memory to be returned; 0.3 by default.</summary>
    [Range(0.0, 1.0)]
    public double DefaultThreshold { get; set; } = 0.3;

    /// <summary>How long until recency halves since last access; 7 days by default.</summary>
    // Checked by AgentMemoryOptionsTimeValidator: 00:00:01 to 36500.00:00:00.
    public TimeSpan RecencyHalfLife { get; set; } = TimeSpan.FromDays(7);

    /// <summary>BM25 term-frequency saturation; 1.2 by default.</summary>
    [Range(0.0, 10.0)]
    public double Bm25K1 { get; set; } = 1.2;

    /// <summary>BM25 length normalization; 0.75 by default.</summary>
    [Range(0.0, 1.0)]
    public double Bm25B { get; set; } = 0.75;

    /// <summary>The weight of the conversation context's words relative to the task's; 0.5 by default.</summary>
    [Range(0.0, 1.0)]
    public double ContextWeight { get; set; } = 0.5;
}
