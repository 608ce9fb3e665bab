namespace AgentMemory.Hosting;

/// <summary>
/// Capped exponential back-off with "equal jitter" (between half and all of the capped delay): the one retry schedule
/// of the writer while the store is down, of an agent's load, and of a supervised loop that failed. Kept as these few
/// lines rather than a Polly pipeline because every caller needs the bare delay, not a strategy: the writer keeps its
/// batch and retries without end while counting attempts for its logs, a load starts its read over, and a loop restarts.
/// </summary>
internal readonly record struct Backoff(TimeSpan Initial, TimeSpan Max)
{
    public static Backoff From(PersistenceOptions options) => new(options.InitialRetryDelay, options.MaxRetryDelay);

    /// <summary>The delay before attempt <paramref name="attempt"/> + 1, after <paramref name="attempt"/> failures (1 or more).</summary>
    public TimeSpan Delay(int attempt)
    {
        var exponent = Math.Min(Math.Max(attempt, 1) - 1, 30);
        var ceiling = Math.Min(Max.TotalMilliseconds, Initial.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (Random.Shared.NextDouble() * 0.5)));
    }
}
