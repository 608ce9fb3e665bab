using System.ComponentModel.DataAnnotations;

namespace AgentMemory;

/// <summary>
/// The weights of recall's score components. The score is the weighted mean of the components, so it stays in
/// [0, 1]; a weight of 0 leaves a component out.
/// </summary>
public sealed class RecallWeights
{
    /// <summary>Weight of relevance to the task (hybrid semantic and lexical); 1.0 by default.</summary>
    [Range(0.0, 100.0)]
    public double Relevance { get; set; } = 1.0;

    /// <summary>Weight of recency (exponential decay since last access); 0.15 by default.</summary>
    [Range(0.0, 100.0)]
    public double Recency { get; set; } = 0.15;

    /// <summary>Weight of importance; 0.15 by default.</summary>
    [Range(0.0, 100.0)]
    public double Importance { get; set; } = 0.15;

    /// <summary>Weight of learned utility (outcomes of past recalls); 0.3 by default.</summary>
    [Range(0.0, 100.0)]
    public double Utility { get; set; } = 0.3;

    /// <summary>The sum of the weights.</summary>
    internal double Total => Relevance + Recency + Importance + Utility;
}
