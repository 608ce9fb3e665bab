namespace AgentMemory;

/// <summary>How much a memory matters. <see cref="Critical"/> memories are never forgotten.</summary>
public enum Importance
{
    /// <summary>Incidental detail; the first to be forgotten.</summary>
    Low = 0,

    /// <summary>The default.</summary>
    Medium = 1,

    /// <summary>Worth keeping and promoting.</summary>
    High = 2,

    /// <summary>Must never be forgotten by consolidation.</summary>
    Critical = 3,
}
