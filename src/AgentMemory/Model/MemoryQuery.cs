namespace AgentMemory;

/// <summary>A filtered, paged listing of one agent's memories, oldest first.</summary>
public sealed class MemoryQuery : MemoryFilter
{
    /// <summary>How many matching memories to skip; 0 by default.</summary>
    public int Offset { get; init; }

    /// <summary>How many memories to return at most, 1 to 10,000; 100 by default.</summary>
    public int Limit { get; init; } = 100;
}
