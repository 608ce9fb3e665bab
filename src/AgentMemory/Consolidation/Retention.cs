namespace AgentMemory.Consolidation;

/// <summary>
/// The forgetting curve: retention exp(−t / S), t the days since last access, S the memory's strength, which grows
/// with importance, access count and utility.
/// </summary>
internal static class Retention
{
    /// <summary>The strength, in days, of a memory (infinite for critical memories, which are never forgotten).</summary>
    public static double StrengthDays(MemoryEntry memory, double baseStrengthDays)
    {
        if (memory.Importance >= Importance.Critical)
        {
            return double.PositiveInfinity;
        }

        var importance = Math.Pow(2, (int)memory.Importance - (int)Importance.Medium);
        var practice = 1 + Math.Log10(1 + memory.AccessCount);
        var usefulness = 1 + (Math.Clamp(memory.Utility, -1, 1) / 2);
        return baseStrengthDays * importance * practice * usefulness;
    }

    /// <summary>Retention in [0, 1] of a memory at <paramref name="now"/>.</summary>
    public static double Of(MemoryEntry memory, DateTimeOffset now, double baseStrengthDays)
    {
        var strength = StrengthDays(memory, baseStrengthDays);
        if (double.IsPositiveInfinity(strength))
        {
            return 1;
        }

        var days = Math.Max(0, (now - memory.LastAccessedAt).TotalDays);
        return Math.Exp(-days / strength);
    }
}
