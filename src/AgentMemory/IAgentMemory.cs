namespace AgentMemory;

/// <summary>
/// One agent's memory: every operation of <see cref="IMemorySystem"/> that concerns one agent, bound to its id, and
/// the end of a task (<see cref="CompleteTaskAsync"/>). <see cref="IMemorySystem.FlushAsync"/> is not here: it waits
/// for every agent's changes.
/// </summary>
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

    /// <inheritdoc cref="IMemorySystem.SetLearningEnabledAsync"/>
    ValueTask SetLearningEnabledAsync(bool enabled, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="IMemorySystem.ResetLearningAsync"/>
    ValueTask<int> ResetLearningAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Ends a task: records the outcome for the memories that were used, then remembers what happened, in that order
    /// (recording learns from how the used memories compared with the agent's best match for the task, which the
    /// outcome memory itself would otherwise be). The turn helper, the chat middleware and the Agent Framework provider
    /// end every task through this method. The memory system's own implementation validates
    /// <paramref name="outcome"/> first, so a refused outcome changes nothing; an implementation of your own inherits
    /// the order without that check.
    /// </summary>
    /// <param name="outcome">What happened, remembered last.</param>
    /// <param name="usedMemoryIds">The memories that were used.</param>
    /// <param name="reward">The outcome in [-1, 1]: 1 full success, -1 failure.</param>
    /// <param name="task">The task the memories were used for; <see langword="null"/> to learn only utility.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The remembered outcome.</returns>
    async ValueTask<MemoryEntry> CompleteTaskAsync(MemoryDraft outcome, IEnumerable<Guid> usedMemoryIds, double reward, string? task, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(usedMemoryIds);
        var used = usedMemoryIds as IReadOnlyCollection<Guid> ?? [.. usedMemoryIds];
        if (used.Count > 0)
        {
            await RecordOutcomeAsync(used, reward, task, cancellationToken).ConfigureAwait(false);
        }

        return await RememberAsync(outcome, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc cref="IMemorySystem.ConsolidateAsync"/>
    ValueTask<ConsolidationReport> ConsolidateAsync(CancellationToken cancellationToken = default);

    /// <inheritdoc cref="IMemorySystem.LoadAgentAsync"/>
    ValueTask<int> LoadAsync(CancellationToken cancellationToken = default);
}
