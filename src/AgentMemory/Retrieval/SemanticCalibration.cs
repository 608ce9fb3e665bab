namespace AgentMemory.Retrieval;

/// <summary>
/// How one recall turns a cosine into semantic similarity in [0, 1]: <c>(cosine × scale − low) / (high − low)</c>,
/// capped. Calibrated per query from the memories it may return (min-max), so the semantic signal spreads over [0, 1] whatever the
/// model's cosines look like: one model's unrelated texts sit at 0.1 and its paraphrases at 0.9, another's (arctic-embed)
/// all between 0.6 and 0.85. Without it a fixed share of semantic similarity means a different weight for every model.
/// <c>low</c> and <c>high</c> are the least and the greatest cosine over an even sample of the memories and the best
/// word matches. (Measured on LoCoMo dev, recall@10 of categories 1-4, with arctic-embed-xs: 0.670; with the sample's
/// mean as <c>low</c>, 0.674 but the built-in embedder's 0.589 against 0.602; uncalibrated, 0.631.)
/// </summary>
internal readonly record struct SemanticCalibration(float Scale, float Low, float Inverse)
{
    /// <summary>Memories sampled per recall, evenly over the slots.</summary>
    public const int SampleSize = 256;

    /// <summary>The best word matches added to the sample: the memories likeliest to be the relevant ones.</summary>
    public const int WordMatches = 64;

    /// <summary>No calibration: the scaled cosine, capped.</summary>
    public static SemanticCalibration Uncalibrated(float scale) => new(scale, 0f, 1f);

    /// <summary>From the scaled cosines of a sample; uncalibrated when they do not spread.</summary>
    public static SemanticCalibration FromSample(float scale, ReadOnlySpan<float> scaledCosines)
    {
        if (scaledCosines.Length < 2)
        {
            return Uncalibrated(scale);
        }

        var low = float.PositiveInfinity;
        var high = float.NegativeInfinity;
        foreach (var cosine in scaledCosines)
        {
            low = Math.Min(low, cosine);
            high = Math.Max(high, cosine);
        }

        return high - low > 1e-4f ? new(scale, low, 1f / (high - low)) : Uncalibrated(scale);
    }

    /// <summary>The semantic similarity of a cosine.</summary>
    public float Apply(float cosine) => Math.Clamp(((cosine * Scale) - Low) * Inverse, 0f, 1f);
}
