namespace AgentMemory.Retrieval;

/// <summary>
/// The one recall score: relevance, recency, importance and utility, each in [0, 1], weighted and divided by the sum
/// of the weights. A scan uses it to bound and rank memories, and the breakdown handed to callers adds up by it.
/// </summary>
internal readonly struct ScoreFormula(SearchQuery query)
{
    private readonly double _totalWeight = query.RelevanceWeight + query.RecencyWeight + query.ImportanceWeight + query.UtilityWeight;

    /// <summary>The weighted sum of everything but relevance (recency is skipped when its weight is 0: it costs an exponential).</summary>
    public double Rest(long lastAccessTicks, byte importance, float utility) =>
        (query.RecencyWeight > 0 ? query.RecencyWeight * Recency(lastAccessTicks) : 0)
        + (query.ImportanceWeight * Importance(importance))
        + (query.UtilityWeight * Utility(utility));

    /// <summary>The score of a memory with this relevance and <see cref="Rest"/>.</summary>
    public double Score(double relevance, double rest) => ((query.RelevanceWeight * relevance) + rest) / _totalWeight;

    /// <summary>1 when accessed now, halving every recency half-life.</summary>
    public double Recency(long lastAccessTicks)
    {
        var age = query.NowTicks - lastAccessTicks;
        return age <= 0 ? 1.0 : Math.Exp(-query.RecencyLambda * age);
    }

    /// <summary>Low 0.25, medium 0.5, high 0.75, critical 1.</summary>
    public static double Importance(byte importance) => (importance + 1) / 4.0;

    /// <summary>Utility in [-1, 1] mapped to [0, 1].</summary>
    public static double Utility(float utility) => (utility + 1) / 2.0;
}
