namespace AgentMemory.Storage;

/// <summary>A change of one of an agent's counters (see <see cref="AgentState.Counters"/>): the store adds <paramref name="Delta"/>.</summary>
/// <param name="AgentId">The agent.</param>
/// <param name="Key">The counter.</param>
/// <param name="Delta">How much to add.</param>
public readonly record struct AgentCounterDelta(string AgentId, string Key, double Delta);
