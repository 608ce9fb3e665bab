namespace AgentMemory;

/// <summary>The kind of a memory, after the usual division of human long-term memory.</summary>
public enum MemoryType
{
    /// <summary>What the agent is doing now: short-lived scratch state with a small capacity.</summary>
    Working = 0,

    /// <summary>What happened: tasks, conversations and their outcomes, each at a point in time.</summary>
    Episodic = 1,

    /// <summary>What the agent knows: facts and generalizations, often consolidated from episodes.</summary>
    Semantic = 2,

    /// <summary>How to do things: approaches, recipes and skills that worked.</summary>
    Procedural = 3,
}
