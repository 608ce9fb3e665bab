namespace AgentMemory;

/// <summary>
/// A memory of its own for each user or conversation of one agent: the scope's memory is the agent id followed by
/// <see cref="Separator"/> and the scope ("support-agent/user-42"), so scopes never see each other's memories. The
/// chat middleware and the Agent Framework provider name scopes this way.
/// </summary>
public static class MemoryScope
{
    /// <summary>Between the agent id and the scope.</summary>
    public const char Separator = '/';

    /// <summary>
    /// The agent id of a scope's memory; the agent's own when <paramref name="scope"/> is <see langword="null"/>. The
    /// result is checked like any agent id where it is used.
    /// </summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="scope">The scope (a user id, a conversation id), or <see langword="null"/>.</param>
    /// <returns>The agent id to remember and recall under.</returns>
    public static string AgentId(string agentId, string? scope)
    {
        ArgumentNullException.ThrowIfNull(agentId);
        return scope is null ? agentId : $"{agentId}{Separator}{scope}";
    }
}
