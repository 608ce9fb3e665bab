namespace AgentMemory;

/// <summary>
/// Names of <c>ChatOptions.AdditionalProperties</c> entries the memory chat middleware reads.
/// </summary>
public static class MemoryChatProperties
{
    /// <summary>The id of the agent whose memory a chat call uses (a string); overrides the middleware's configured agent id.</summary>
    public const string AgentId = "agentmemory.agent_id";

    /// <summary>
    /// The scope of a chat call's memory within its agent, a string: a user id, a conversation id. Memories of one
    /// scope are never recalled in another (see <see cref="MemoryChatClientOptions.Scope"/>).
    /// </summary>
    public const string Scope = "agentmemory.scope";

    /// <summary>When <see langword="true"/>, the middleware neither recalls nor remembers for this call (consolidation marks its own calls so).</summary>
    public const string Skip = "agentmemory.skip";
}
