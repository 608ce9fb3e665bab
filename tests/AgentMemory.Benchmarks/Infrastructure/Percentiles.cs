namespace AgentMemory.Benchmarks.Infrastructure;

internal static class Percentiles
{
    /// <summary>The nearest-rank percentile of <paramref name="values"/> (sorted in place).</summary>
    public static double Of(List<double> values, double percentile)
    {
        values.Sort();
        var rank = (int)Math.Ceiling(percentile / 100.0 * values.Count) - 1;
        return values[Math.Clamp(rank, 0, values.Count - 1)];
    }
}
