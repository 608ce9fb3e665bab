namespace AgentMemory.Validation;

/// <summary>Times are kept in UTC at microsecond precision, the precision of PostgreSQL's timestamptz.</summary>
internal static class TimeRules
{
    /// <summary>The time in UTC, truncated to whole microseconds.</summary>
    public static DateTimeOffset Normalize(DateTimeOffset value)
    {
        var ticks = value.UtcTicks;
        return new DateTimeOffset(ticks - (ticks % 10), TimeSpan.Zero);
    }
}
