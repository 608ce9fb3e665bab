namespace AgentMemory.Storage;

/// <summary>
/// Where memories are kept. Batch-shaped: the background writer hands a store whole change sets, each applied in
/// one transaction, and agents are loaded whole. Every operation is scoped by agent id. Implementations must be
/// safe for concurrent use and pass the store contract suite of the AgentMemory.Testing package
/// (<c>MemoryStoreContract</c>).
/// </summary>
public interface IMemoryStore
{
    /// <summary>Prepares the store (creates or migrates its schema). Called once before first use; must be idempotent.</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the store is ready.</returns>
    Task InitializeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Applies a change set atomically, in this order: agent deletions, agent states, memory deletions, inserts,
    /// updates, access statistics. A snapshot (insert or update) replaces the stored row only when its version is not
    /// older than the stored one; access statistics only ever grow. Applying the same change set twice changes nothing
    /// more.
    /// </summary>
    /// <param name="changes">The changes.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>A task that completes when the changes are durable.</returns>
    /// <exception cref="MemoryStoreException">The store failed; <see cref="MemoryStoreException.IsTransient"/> tells whether to retry.</exception>
    Task ApplyAsync(MemoryChangeSet changes, CancellationToken cancellationToken = default);

    /// <summary>Streams every memory of one agent, in id order.</summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The agent's memories.</returns>
    IAsyncEnumerable<MemoryEntry> LoadMemoriesAsync(string agentId, CancellationToken cancellationToken = default);

    /// <summary>Reads one agent's state, or <see langword="null"/> when the store does not know the agent.</summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The agent's state.</returns>
    Task<AgentState?> GetAgentAsync(string agentId, CancellationToken cancellationToken = default);

    /// <summary>Streams every agent the store knows, in id order.</summary>
    /// <param name="cancellationToken">Cancels the enumeration.</param>
    /// <returns>The agents.</returns>
    IAsyncEnumerable<AgentState> ListAgentsAsync(CancellationToken cancellationToken = default);
}
