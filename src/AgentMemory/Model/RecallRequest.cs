namespace AgentMemory;

/// <summary>What to recall memories for.</summary>
/// <param name="task">The task or question the agent is about to work on: not empty.</param>
public sealed class RecallRequest(string task)
{
    /// <summary>The task or question.</summary>
    public string Task { get; } = task;

    /// <summary>Optional conversation context; it adds to the query with a lower weight than the task.</summary>
    public string? Context { get; init; }

    /// <summary>The most <see cref="MaxResults"/> may ask for.</summary>
    public const int MaxResultsLimit = 1_000;

    /// <summary>How many memories to return at most (1 to <see cref="MaxResultsLimit"/>); 5 by default.</summary>
    public int MaxResults { get; init; } = 5;

    /// <summary>
    /// The least relevance (in [0, 1], a fraction of the best possible relevance) a memory needs to be returned;
    /// the configured default (0.3) when <see langword="null"/>.
    /// </summary>
    public double? Threshold { get; init; }

    /// <summary>Which memories to consider.</summary>
    public MemoryFilter? Filter { get; init; }

    /// <summary>Weights for this recall only; the configured weights when <see langword="null"/>.</summary>
    public RecallWeights? Weights { get; init; }

    /// <summary>
    /// Whether returned memories count as accessed (last-accessed time and access count updated); <see langword="true"/>
    /// by default.
    /// </summary>
    public bool UpdateAccessStatistics { get; init; } = true;

    /// <summary>Creates a request from its task, so a plain string can be passed where a request is expected.</summary>
    /// <param name="task">The task or question.</param>
    public static implicit operator RecallRequest(string task) => new(task);

    /// <summary>Creates a request from its task.</summary>
    /// <param name="task">The task or question.</param>
    /// <returns>A request with default settings.</returns>
    public static RecallRequest FromString(string task) => new(task);
}
