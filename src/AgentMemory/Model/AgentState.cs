using System.Text.Json;

namespace AgentMemory;

/// <summary>An agent as the store knows it: its id, when it was first seen and its settings.</summary>
public sealed record AgentState
{
    /// <summary>The agent's id.</summary>
    public required string AgentId { get; init; }

    /// <summary>When the agent was first seen.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Whether outcomes change the utility of this agent's memories; <see langword="true"/> by default.</summary>
    public bool LearningEnabled { get; init; } = true;

    /// <summary>Free-form settings, a JSON object.</summary>
    public JsonElement Settings { get; init; } = MemoryJson.EmptyObject;
}
