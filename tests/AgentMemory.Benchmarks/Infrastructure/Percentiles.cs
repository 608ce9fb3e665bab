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

    /// <summary>The median (nearest rank) of <paramref name="values"/>, which are left as they are.</summary>
    public static double Median(IEnumerable<double> values) => Of([.. values], 50);
}
