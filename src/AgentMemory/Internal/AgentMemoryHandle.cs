namespace AgentMemory.Internal;

/// <summary>An <see cref="IAgentMemory"/> that forwards to the memory system with a fixed agent id.</summary>
internal sealed class AgentMemoryHandle(MemorySystem system, string agentId) : IAgentMemory
{
    public string AgentId { get; } = agentId;

    public ValueTask<MemoryEntry> RememberAsync(MemoryDraft memory, CancellationToken cancellationToken = default) =>
        system.RememberAsync(AgentId, memory, cancellationToken);

    public ValueTask<IReadOnlyList<MemoryEntry>> RememberManyAsync(IEnumerable<MemoryDraft> memories, CancellationToken cancellationToken = default) =>
        system.RememberManyAsync(AgentId, memories, cancellationToken);

    public ValueTask<MemoryEntry?> GetAsync(Guid memoryId, CancellationToken cancellationToken = default) =>
        system.GetAsync(AgentId, memoryId, cancellationToken);

    public ValueTask<MemoryPage> ListAsync(MemoryQuery? query = null, CancellationToken cancellationToken = default) =>
        system.ListAsync(AgentId, query, cancellationToken);

    public ValueTask<MemoryEntry> UpdateAsync(Guid memoryId, MemoryUpdate update, CancellationToken cancellationToken = default) =>
        system.UpdateAsync(AgentId, memoryId, update, cancellationToken);

    public ValueTask<bool> ForgetAsync(Guid memoryId, CancellationToken cancellationToken = default) =>
        system.ForgetAsync(AgentId, memoryId, cancellationToken);

    public ValueTask ForgetAllAsync(CancellationToken cancellationToken = default) =>
        system.ForgetAgentAsync(AgentId, cancellationToken);

    public ValueTask<IReadOnlyList<RecalledMemory>> RecallAsync(RecallRequest request, CancellationToken cancellationToken = default) =>
        system.RecallAsync(AgentId, request, cancellationToken);

    public ValueTask<int> RecordOutcomeAsync(IEnumerable<Guid> usedMemoryIds, double reward, CancellationToken cancellationToken = default) =>
        system.RecordOutcomeAsync(AgentId, usedMemoryIds, reward, cancellationToken);

    public ValueTask<int> RecordOutcomeAsync(IEnumerable<Guid> usedMemoryIds, double reward, string? task, CancellationToken cancellationToken = default) =>
        system.RecordOutcomeAsync(AgentId, usedMemoryIds, reward, task, cancellationToken);

    public ValueTask SetLearningEnabledAsync(bool enabled, CancellationToken cancellationToken = default) =>
        system.SetLearningEnabledAsync(AgentId, enabled, cancellationToken);

    public ValueTask<int> ResetLearningAsync(CancellationToken cancellationToken = default) =>
        system.ResetLearningAsync(AgentId, cancellationToken);

    public ValueTask<MemoryEntry> CompleteTaskAsync(MemoryDraft outcome, IEnumerable<Guid> usedMemoryIds, double reward, string? task, CancellationToken cancellationToken = default) =>
        system.CompleteTaskAsync(AgentId, outcome, usedMemoryIds, reward, task, cancellationToken);

    public ValueTask<ConsolidationReport> ConsolidateAsync(CancellationToken cancellationToken = default) =>
        system.ConsolidateAsync(AgentId, cancellationToken);

    public ValueTask<int> LoadAsync(CancellationToken cancellationToken = default) =>
        system.LoadAgentAsync(AgentId, cancellationToken);
}
