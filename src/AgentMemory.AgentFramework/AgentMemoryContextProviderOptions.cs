namespace AgentMemory.AgentFramework;

/// <summary>Options of <see cref="AgentMemoryContextProvider"/>.</summary>
public sealed class AgentMemoryContextProviderOptions
{
    /// <summary>
    /// The agent whose memory the runs use; by default the Agent Framework agent's name, or its id when it has no name.
    /// </summary>
    public string? AgentId { get; set; }

    /// <summary>How many memories are recalled before each run; 5 by default.</summary>
    public int MaxMemories { get; set; } = 5;

    /// <summary>Whether each run (its input and reply, or its failure) is remembered as an episodic memory; true by default.</summary>
    public bool RememberRuns { get; set; } = true;

    /// <summary>Whether a run's success or failure is recorded as the outcome of the memories recalled for it; true by default.</summary>
    public bool RecordOutcomes { get; set; } = true;
}
