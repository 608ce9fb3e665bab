namespace AgentMemory;

/// <summary>Thrown when a memory id does not name a memory of the given agent.</summary>
public sealed class MemoryNotFoundException : KeyNotFoundException
{
    /// <summary>Creates the exception for an agent and a memory id.</summary>
    /// <param name="agentId">The agent that was asked.</param>
    /// <param name="memoryId">The id that agent does not have.</param>
    public MemoryNotFoundException(string agentId, Guid memoryId)
        : base($"Agent '{agentId}' has no memory with id {memoryId}.")
    {
        AgentId = agentId;
        MemoryId = memoryId;
    }

    /// <summary>The agent that was asked.</summary>
    public string AgentId { get; }

    /// <summary>The id that agent does not have.</summary>
    public Guid MemoryId { get; }
}
