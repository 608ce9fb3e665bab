using AgentMemory.Storage;

namespace AgentMemory.Shared;

/// <summary>
/// The agent states of a change set that a store writes: the last state of each agent in the set wins (a set may hold
/// several states of one agent, in the order they were made). Shared source, compiled into each store package.
/// </summary>
internal static class LatestAgentStates
{
    /// <summary>The last state of each agent in <paramref name="agents"/>, keyed by agent id.</summary>
    public static Dictionary<string, AgentState> Of(IReadOnlyList<AgentState> agents)
    {
        var latest = new Dictionary<string, AgentState>(StringComparer.Ordinal);
        foreach (var agent in agents)
        {
            latest[agent.AgentId] = agent;
        }

        return latest;
    }
}
