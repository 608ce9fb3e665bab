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
    /// Applies a change set atomically, in this order: agent deletions, agent states, counter resets and deltas,
    /// memory deletions, inserts, patches, accesses. The merge rules: a patch overwrites only its fields (so concurrent
    /// changes of different fields from different hosts both survive, and for one field the later commit wins); access
    /// counts, utility and agents' counters move by deltas; last-access and update times keep the later value; a
    /// deleted memory or an erased agent's memory is never written back by a patch. A numbered set
    /// (<see cref="MemoryChangeSet.Batch"/>) is applied at most once.
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

    /// <summary>
    /// The change feed: what other hosts committed for the given agents since <see cref="MemoryChangeQuery.From"/>, in
    /// commit order of positions, never a change that could still be followed by an earlier one (a reader that goes on
    /// from <see cref="MemoryChangePage.Next"/> misses nothing and gets nothing twice that did not change again).
    /// Accesses do not count as changes of a memory's row: they come as <see cref="MemoryChangePage.Accesses"/>, to
    /// every reader, the accessing one too.
    /// </summary>
    /// <param name="query">What to read.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The changes and where to go on.</returns>
    /// <exception cref="MemoryStoreException">The store failed; <see cref="MemoryStoreException.IsTransient"/> tells whether to retry.</exception>
    Task<MemoryChangePage> ReadChangesAsync(MemoryChangeQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits until another writer than <paramref name="reader"/> may have committed a change (a notification), or
    /// <paramref name="timeout"/> passes. A store without notifications waits out the timeout (readers then poll).
    /// </summary>
    /// <param name="reader">The waiting host, whose own commits do not wake it.</param>
    /// <param name="timeout">How long to wait at most.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns><see langword="true"/> when notified, <see langword="false"/> when the time ran out.</returns>
    Task<bool> WaitForChangesAsync(Guid reader, TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Whether change notifications reach this process now (for health checks); a polling store returns <see langword="true"/>.</summary>
    bool NotificationsConnected { get; }

    /// <summary>
    /// Forgets tombstones and writer records older than <paramref name="before"/>. A reader whose position is older
    /// than what was forgotten is told to reload (<see cref="MemoryChangePage.MustReload"/>).
    /// </summary>
    /// <param name="before">The cut-off.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>How many tombstones were forgotten.</returns>
    Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default);
}
