namespace AgentMemory;

/// <summary>
/// Long-term memory for agents: remember, recall by relevance, change, forget, and learn from outcomes. Every
/// operation is scoped by agent id. Changes are visible to the next call at once and saved by a background writer
/// (see <see cref="PersistenceOptions.Durability"/>). Thread-safe; register once per host with
/// <c>services.AddAgentMemory()</c>. Once the host has stopped (or the memory system is disposed), reads and recall
/// go on answering from the memories in process (recall no longer counts accesses), while every change throws
/// <see cref="ObjectDisposedException"/>: nothing more could be saved.
/// </summary>
public interface IMemorySystem
{
    /// <summary>
    /// Remembers a memory. Content the agent already has (same type, same text ignoring case and white space) is
    /// not duplicated: the existing memory is reinforced (access count, last accessed, the higher importance, tags
    /// united) and returned.
    /// </summary>
    /// <param name="agentId">The agent: any string of 1 to 200 characters without control characters.</param>
    /// <param name="memory">The memory; a plain string converts to a draft.</param>
    /// <param name="cancellationToken">Cancels waiting (for a full queue, or for the commit in write-through mode).</param>
    /// <returns>The new or reinforced memory.</returns>
    /// <exception cref="ArgumentException">The agent id or the memory breaks a rule; the message names the field.</exception>
    /// <exception cref="MemoryQueueFullException">The queue is full and fail-fast is configured.</exception>
    ValueTask<MemoryEntry> RememberAsync(string agentId, MemoryDraft memory, CancellationToken cancellationToken = default);

    /// <summary>Remembers several memories; all are validated before any is remembered.</summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="memories">The memories.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The new or reinforced memories, in the order given.</returns>
    ValueTask<IReadOnlyList<MemoryEntry>> RememberManyAsync(string agentId, IEnumerable<MemoryDraft> memories, CancellationToken cancellationToken = default);

    /// <summary>Gets one memory of the agent, or <see langword="null"/> when the agent has none with that id (or it expired).</summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="memoryId">The memory's id.</param>
    /// <param name="cancellationToken">Cancels loading the agent.</param>
    /// <returns>The memory, or <see langword="null"/>.</returns>
    ValueTask<MemoryEntry?> GetAsync(string agentId, Guid memoryId, CancellationToken cancellationToken = default);

    /// <summary>Lists the agent's memories, oldest first, filtered and paged.</summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="query">Filters and paging; the first 100 of all memories when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels loading the agent.</param>
    /// <returns>One page and the total count.</returns>
    ValueTask<MemoryPage> ListAsync(string agentId, MemoryQuery? query = null, CancellationToken cancellationToken = default);

    /// <summary>Changes a memory; its version grows by one.</summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="memoryId">The memory's id.</param>
    /// <param name="update">What to change.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>The changed memory.</returns>
    /// <exception cref="MemoryNotFoundException">The agent has no memory with that id; nothing changed.</exception>
    ValueTask<MemoryEntry> UpdateAsync(string agentId, Guid memoryId, MemoryUpdate update, CancellationToken cancellationToken = default);

    /// <summary>
    /// Forgets one memory, and with it every memory derived from it: a semantic memory consolidation made from a
    /// cluster it belonged to, a merge that lists it (also once the memory itself was merged away), and what was made
    /// from those in turn. Erasing a fact erases its copies; consolidation never brings it back.
    /// </summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="memoryId">The memory's id.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns><see langword="true"/> when it (or a memory derived from it) was forgotten; <see langword="false"/> when the agent has neither (nothing changed).</returns>
    ValueTask<bool> ForgetAsync(string agentId, Guid memoryId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Forgets an agent: all its memories and its state, on every host sharing the store. The erasure is final: no host
    /// that still held the agent writes any of its memories back. A memory remembered after the call returns is kept.
    /// </summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the erasure is written to the store (whatever the durability setting).</returns>
    ValueTask ForgetAgentAsync(string agentId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Recalls the memories most useful for a task: each candidate is scored by relevance (semantic and lexical),
    /// recency, importance and learned utility, and the best are returned with the breakdown. Returned memories
    /// count as accessed.
    /// </summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="request">The task and options; a plain string converts to a request.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The recalled memories, best first.</returns>
    ValueTask<IReadOnlyList<RecalledMemory>> RecallAsync(string agentId, RecallRequest request, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records how a task went for the memories that were used: each memory's utility moves toward the reward, so
    /// memories that led to success are recalled more readily. Ids the agent does not have are ignored.
    /// </summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="usedMemoryIds">The memories that were used (typically those recalled for the task).</param>
    /// <param name="reward">The outcome in [-1, 1]: 1 full success, -1 failure.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>How many memories were updated.</returns>
    ValueTask<int> RecordOutcomeAsync(string agentId, IEnumerable<Guid> usedMemoryIds, double reward, CancellationToken cancellationToken = default);

    /// <summary>
    /// Records how a task went for the memories that were used, as the overload without a task does, and also learns
    /// from the task: after a failure, the words the task shared with the used memories lose weight in this agent's
    /// later recalls (they pulled in the wrong memories; a success does not restore them). Words that say what a task
    /// is about keep their weight; boilerplate shared by unrelated tasks fades. Each relevance signal is credited by
    /// how strongly it put the used memories forward against the best match among the agent's memories, so record the
    /// outcome before remembering the task's own outcome (which would be that best match), as the turn helper does.
    /// Nothing is learned while the agent's learning is off.
    /// </summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="usedMemoryIds">The memories that were used (typically those the agent followed).</param>
    /// <param name="reward">The outcome in [-1, 1]: 1 full success, -1 failure.</param>
    /// <param name="task">The task the memories were used for (the recall's query); <see langword="null"/> to learn only utility.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>How many memories were updated.</returns>
    ValueTask<int> RecordOutcomeAsync(string agentId, IEnumerable<Guid> usedMemoryIds, double reward, string? task, CancellationToken cancellationToken = default);

    /// <summary>
    /// Switches learning from outcomes on or off for one agent (saved with the agent's state). While it is off,
    /// outcomes teach nothing and what was learned is not applied: recall weighs every memory's utility as neutral,
    /// every word at its plain weight and the relevance signals as configured. Switching it on again applies it again.
    /// </summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="enabled">Whether outcomes are learned from and what was learned is applied.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>A task that completes when the setting is applied.</returns>
    ValueTask SetLearningEnabledAsync(string agentId, bool enabled, CancellationToken cancellationToken = default);

    /// <summary>
    /// Forgets what the agent learned from outcomes: every memory's utility goes back to neutral and the learned word
    /// weights and signal mix are cleared. Use it after outcomes that taught the wrong thing.
    /// </summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    /// <returns>How many memories had a learned utility.</returns>
    ValueTask<int> ResetLearningAsync(string agentId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Consolidates the agent's memories now, as the background service does on its interval: expired memories are
    /// removed, working memory beyond its capacity is promoted to episodic or dropped, near-duplicates merge, important
    /// or often-recalled episodic memories and clusters of similar ones become semantic, and weak memories of a type
    /// over capacity are forgotten (never critical or <c>pinned</c> ones). The changes persist like any other. A run
    /// never overlaps another run for the same agent, also on another host sharing the store: this call waits for it.
    /// A second run right after changes nothing.
    /// </summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="cancellationToken">Cancels the run (changes already made stay made and are persisted).</param>
    /// <returns>What the run changed.</returns>
    ValueTask<ConsolidationReport> ConsolidateAsync(string agentId, CancellationToken cancellationToken = default);

    /// <summary>Loads the agent's memories from the store now (they are otherwise loaded on first use).</summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="cancellationToken">Cancels waiting for the load.</param>
    /// <returns>How many memories the agent has.</returns>
    ValueTask<int> LoadAgentAsync(string agentId, CancellationToken cancellationToken = default);

    /// <summary>Completes when every change made before the call (and every embedding queued before it) is saved.</summary>
    /// <param name="cancellationToken">Cancels waiting (not the writing).</param>
    /// <returns>A task that completes when the changes are durable.</returns>
    Task FlushAsync(CancellationToken cancellationToken = default);

    /// <summary>A handle with the same operations for one agent, without the agent id argument.</summary>
    /// <param name="agentId">The agent.</param>
    /// <returns>The agent's memory.</returns>
    IAgentMemory ForAgent(string agentId);
}
