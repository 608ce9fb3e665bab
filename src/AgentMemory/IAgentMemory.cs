namespace AgentMemory;

/// <summary>One agent's memory: the operations of <see cref="IMemorySystem"/> bound to an agent id.</summary>
public interface IAgentMemory
{
    /// <summary>The agent.</summary>
    string AgentId { get; }

    /// <inheritdoc cref="IMemorySystem.RememberAsync"/>
    ValueTask<MemoryEntry> RememberAsync(MemoryDraft memory, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="IMemorySystem.RememberManyAsync"/>
    ValueTask<IReadOnlyList<MemoryEntry>> RememberManyAsync(IEnumerable<MemoryDraft> memories, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="IMemorySystem.GetAsync"/>
    ValueTask<MemoryEntry?> GetAsync(Guid memoryId, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="IMemorySystem.ListAsync"/>
    ValueTask<MemoryPage> ListAsync(MemoryQuery? query = null, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="IMemorySystem.UpdateAsync"/>
    ValueTask<MemoryEntry> UpdateAsync(Guid memoryId, MemoryUpdate update, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="IMemorySystem.ForgetAsync"/>
    ValueTask<bool> ForgetAsync(Guid memoryId, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="IMemorySystem.ForgetAgentAsync"/>
    ValueTask ForgetAllAsync(CancellationToken cancellationToken = default);

    /// <inheritdoc cref="IMemorySystem.RecallAsync"/>
    ValueTask<IReadOnlyList<RecalledMemory>> RecallAsync(RecallRequest request, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="IMemorySystem.RecordOutcomeAsync(string, IEnumerable{Guid}, double, CancellationToken)"/>
    ValueTask<int> RecordOutcomeAsync(IEnumerable<Guid> usedMemoryIds, double reward, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="IMemorySystem.RecordOutcomeAsync(string, IEnumerable{Guid}, double, string?, CancellationToken)"/>
    ValueTask<int> RecordOutcomeAsync(IEnumerable<Guid> usedMemoryIds, double reward, string? task, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="IMemorySystem.ConsolidateAsync"/>
    ValueTask<ConsolidationReport> ConsolidateAsync(CancellationToken cancellationToken = default);

    /// <inheritdoc cref="IMemorySystem.LoadAgentAsync"/>
    ValueTask<int> LoadAsync(CancellationToken cancellationToken = default);
}
