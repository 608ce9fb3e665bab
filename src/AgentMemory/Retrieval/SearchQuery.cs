namespace AgentMemory.Retrieval;

/// <summary>Everything a scan needs, resolved once per recall.</summary>
internal sealed class SearchQuery
{
    public required KeyValuePair<string, float>[] Terms { get; init; }

    /// <summary>The query's unit vector in the index's model, or <see langword="null"/> for lexical-only relevance.</summary>
    public float[]? Vector { get; init; }

    /// <summary>
    /// What each cosine with <see cref="Vector"/> is multiplied by (the result capped at 1) to give semantic
    /// similarity: above 1 when the query vector leans toward some of its words, so that a memory saying exactly the
    /// query still scores 1.
    /// </summary>
    public float SemanticScale { get; init; } = 1f;

    /// <summary>Whether cosines are calibrated per recall (<see cref="SemanticCalibration"/>) rather than only scaled.</summary>
    public bool CalibrateSemantic { get; init; } = true;

    public required int MaxResults { get; init; }

    public required double Threshold { get; init; }

    public required double SemanticShare { get; init; }

    /// <summary>How much of a neighbour's relevance a memory takes as context (see <see cref="RecallOptions.NeighbourWeight"/>); 0 for none.</summary>
    public double NeighbourWeight { get; init; }

    public required double RelevanceWeight { get; init; }

    public required double RecencyWeight { get; init; }

    public required double ImportanceWeight { get; init; }

    public required double UtilityWeight { get; init; }

    public required double K1 { get; init; }

    public required double B { get; init; }

    public required long NowTicks { get; init; }

    /// <summary>Recency decay per tick: ln 2 / half-life.</summary>
    public required double RecencyLambda { get; init; }

    public CompiledFilter? Filter { get; init; }
}
