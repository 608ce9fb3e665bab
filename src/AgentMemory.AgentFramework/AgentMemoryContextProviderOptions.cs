using Microsoft.Agents.AI;

namespace AgentMemory.AgentFramework;

/// <summary>Options of <see cref="AgentMemoryContextProvider"/>.</summary>
public sealed class AgentMemoryContextProviderOptions
{
    /// <summary>
    /// The agent whose memory the runs use; by default the Agent Framework agent's name, or its id when it has no name.
    /// </summary>
    public string? AgentId { get; set; }

    /// <summary>
    /// Which memory within the agent a run uses: a user, a conversation, a tenant, from the run's agent and session.
    /// Runs of different scopes never see each other's memories (each scope is the agent id followed by "/" and the
    /// scope). <see langword="null"/> (the default): one memory for all runs of the agent.
    /// </summary>
    public Func<AIAgent, AgentSession?, string?>? Scope { get; set; }

    /// <summary>How many memories are recalled before each run; 5 by default.</summary>
    public int MaxMemories { get; set; } = 5;

    /// <summary>Whether each run (its input and reply, or its failure) is remembered as an episodic memory; true by default.</summary>
    public bool RememberRuns { get; set; } = true;

    /// <summary>Whether a run's success or failure is recorded as the outcome of the memories recalled for it; true by default.</summary>
    public bool RecordOutcomes { get; set; } = true;

    /// <summary>
    /// Tells a run that failed because a service was down or did not answer (the model provider, the network) from a
    /// run whose task failed. Such a run is not an outcome of the task: it is neither recorded against the recalled
    /// memories nor remembered. By default <see cref="IsServiceFailureByDefault"/>.
    /// </summary>
    public Func<Exception, bool> IsServiceFailure { get; set; } = IsServiceFailureByDefault;

    /// <summary>
    /// The default of <see cref="IsServiceFailure"/>: the exception, or one it wraps, is an
    /// <see cref="HttpRequestException"/>, a <see cref="TimeoutException"/>, an
    /// <see cref="OperationCanceledException"/>, a <see cref="System.Net.Sockets.SocketException"/> or an
    /// <see cref="System.IO.IOException"/>.
    /// </summary>
    /// <param name="exception">What the run threw.</param>
    /// <returns>Whether the run failed for a reason outside its task.</returns>
    public static bool IsServiceFailureByDefault(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is HttpRequestException or TimeoutException or OperationCanceledException or System.Net.Sockets.SocketException or System.IO.IOException)
            {
                return true;
            }

            if (current is AggregateException { InnerExceptions: var inner } && inner.Any(IsServiceFailureByDefault))
            {
                return true;
            }
        }

        return false;
    }
}
