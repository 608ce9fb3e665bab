namespace AgentMemory;

/// <summary>
/// "Recall, prompt, remember" in one place, for the turn helper, the chat middleware, the Agent Framework provider and
/// any integration of your own:
/// before a task the memories relevant to it are recalled and formatted for the model; after it the outcome is
/// recorded for the memories that were used and only then is what happened remembered, whatever
/// <see cref="IAgentMemory"/> is behind it (see <see cref="IAgentMemory.CompleteTaskAsync"/>).
/// </summary>
public static class TurnFlow
{
    /// <summary>The memories recalled for a task, and the prompt section that hands them to a model (<see cref="MemoryPrompt.Format"/>).</summary>
    /// <param name="memory">The agent's memory.</param>
    /// <param name="request">The task and recall options.</param>
    /// <param name="cancellationToken">Cancels the recall.</param>
    /// <returns>The recalled memories, best first, and the prompt section (empty when none).</returns>
    public static async ValueTask<(IReadOnlyList<RecalledMemory> Recalled, string Prompt)> RecallAsync(IAgentMemory memory, RecallRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(memory);
        var recalled = await memory.RecallAsync(request, cancellationToken).ConfigureAwait(false);
        return (recalled, MemoryPrompt.Format(recalled));
    }

    /// <summary>
    /// Ends a task: with a <paramref name="reward"/> and used memories, the outcome is recorded for them before
    /// <paramref name="outcome"/> is remembered; otherwise <paramref name="outcome"/> is only remembered. Without an
    /// outcome memory, only the outcome is recorded.
    /// </summary>
    /// <param name="memory">The agent's memory.</param>
    /// <param name="outcome">What happened, or <see langword="null"/> to remember nothing.</param>
    /// <param name="usedMemoryIds">The memories that were used (typically those recalled).</param>
    /// <param name="reward">The outcome in [-1, 1], or <see langword="null"/> when the task has none (a chat exchange).</param>
    /// <param name="task">The task; <see langword="null"/> to learn only utility.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The remembered outcome, or <see langword="null"/> when there was none to remember.</returns>
    public static async ValueTask<MemoryEntry?> CompleteAsync(
        IAgentMemory memory,
        MemoryDraft? outcome,
        IReadOnlyList<Guid> usedMemoryIds,
        double? reward,
        string? task,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentNullException.ThrowIfNull(usedMemoryIds);
        var learns = reward is not null && usedMemoryIds.Count > 0;
        if (outcome is null)
        {
            if (learns)
            {
                await memory.RecordOutcomeAsync(usedMemoryIds, reward!.Value, task, cancellationToken).ConfigureAwait(false);
            }

            return null;
        }

        return learns
            ? await memory.CompleteTaskAsync(outcome, usedMemoryIds, reward!.Value, task, cancellationToken).ConfigureAwait(false)
            : await memory.RememberAsync(outcome, cancellationToken).ConfigureAwait(false);
    }
}
