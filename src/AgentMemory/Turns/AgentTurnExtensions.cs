namespace AgentMemory;

/// <summary>Starts an <see cref="AgentTurn"/>: recall before the task, remember and learn after it.</summary>
public static class AgentTurnExtensions
{
    /// <summary>Recalls the memories relevant to <paramref name="task"/> and starts a turn.</summary>
    /// <param name="memory">The memory system.</param>
    /// <param name="agentId">The agent.</param>
    /// <param name="task">The task the agent is about to work on.</param>
    /// <param name="context">Optional conversation context, weighted less than the task.</param>
    /// <param name="taskType">Optional kind of task, stored with the outcome.</param>
    /// <param name="maxResults">How many memories to recall (default 5).</param>
    /// <param name="timeProvider">Clock for the turn's duration (default the system clock).</param>
    /// <param name="cancellationToken">Cancels the recall.</param>
    /// <returns>The turn.</returns>
    public static ValueTask<AgentTurn> BeginTurnAsync(
        this IMemorySystem memory,
        string agentId,
        string task,
        string? context = null,
        string? taskType = null,
        int maxResults = 5,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(memory);
        return memory.ForAgent(agentId).BeginTurnAsync(task, context, taskType, maxResults, timeProvider, cancellationToken);
    }

    /// <summary>Recalls the memories relevant to <paramref name="task"/> and starts a turn.</summary>
    /// <param name="memory">The agent's memory.</param>
    /// <param name="task">The task the agent is about to work on.</param>
    /// <param name="context">Optional conversation context, weighted less than the task.</param>
    /// <param name="taskType">Optional kind of task, stored with the outcome.</param>
    /// <param name="maxResults">How many memories to recall (default 5).</param>
    /// <param name="timeProvider">Clock for the turn's duration (default the system clock).</param>
    /// <param name="cancellationToken">Cancels the recall.</param>
    /// <returns>The turn.</returns>
    public static async ValueTask<AgentTurn> BeginTurnAsync(
        this IAgentMemory memory,
        string task,
        string? context = null,
        string? taskType = null,
        int maxResults = 5,
        TimeProvider? timeProvider = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentException.ThrowIfNullOrWhiteSpace(task);
        var (recalled, prompt) = await TurnFlow.RecallAsync(memory, new RecallRequest(task) { Context = context, MaxResults = maxResults }, cancellationToken).ConfigureAwait(false);
        return new AgentTurn(memory, task, taskType, recalled, prompt, timeProvider ?? TimeProvider.System);
    }
}
