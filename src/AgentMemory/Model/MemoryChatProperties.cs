namespace AgentMemory;

/// <summary>
/// Names of <c>ChatOptions.AdditionalProperties</c> entries the memory chat middleware reads.
/// </summary>
public static class MemoryChatProperties
{
    /// <summary>The id of the agent whose memory a chat call uses (a string); overrides the middleware's configured agent id.</summary>
    public const string AgentId = "agentmemory.agent_id";

    /// <summary>When <see langword="true"/>, the middleware neither recalls nor remembers for this call (consolidation marks its own calls so).</summary>
    public const string Skip = "agentmemory.skip";
}
