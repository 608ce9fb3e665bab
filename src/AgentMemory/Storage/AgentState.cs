using System.Text.Json;

namespace AgentMemory.Storage;

/// <summary>
/// An agent as the store keeps it: its id, when it was first seen, whether it learns from outcomes, and what it
/// learned. For store implementers: save and return every property as it is given, but <see cref="Counters"/>, which
/// only change sets' counter deltas move.
/// </summary>
public sealed record AgentState
{
    /// <summary>The agent's id.</summary>
    public required string AgentId { get; init; }

    /// <summary>When the agent was first seen.</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Whether outcomes change the utility of this agent's memories; <see langword="true"/> by default.</summary>
    public bool LearningEnabled { get; init; } = true;

    /// <summary>
    /// What the memory system keeps for the agent (what it learned from outcomes), as a JSON object. Opaque to a store:
    /// saved and returned unchanged.
    /// </summary>
    public JsonElement Settings { get; init; } = MemoryJson.EmptyObject;

    /// <summary>
    /// What the agent learned from outcomes, as named counters. Several hosts learning for one agent each send deltas
    /// (<see cref="MemoryChangeSet.CounterDeltas"/>) that the store adds up, so no host's lessons overwrite another's;
    /// the counters of a state given in <see cref="MemoryChangeSet.Agents"/> are ignored.
    /// </summary>
    public IReadOnlyDictionary<string, double> Counters { get; init; } = EmptyCounters;

    private static readonly IReadOnlyDictionary<string, double> EmptyCounters = new Dictionary<string, double>();
}
