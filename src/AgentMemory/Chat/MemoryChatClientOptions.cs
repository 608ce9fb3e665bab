namespace AgentMemory;

/// <summary>Options of the memory chat middleware (<c>ChatClientBuilder.UseAgentMemory</c>).</summary>
public sealed class MemoryChatClientOptions
{
    /// <summary>
    /// The agent whose memory the calls use, unless a call names one in <c>ChatOptions.AdditionalProperties</c>
    /// under <see cref="MemoryChatProperties.AgentId"/>. A call with neither passes through untouched.
    /// </summary>
    public string? AgentId { get; set; }

    /// <summary>How many memories are recalled for the last user message; 5 by default.</summary>
    public int MaxMemories { get; set; } = 5;

    /// <summary>Whether each exchange (the last user message and the reply) is remembered as an episodic memory; true by default.</summary>
    public bool RememberExchanges { get; set; } = true;

    /// <summary>Tags given to remembered exchanges; "chat" by default.</summary>
    public IList<string> ExchangeTags { get; } = ["chat"];
}
