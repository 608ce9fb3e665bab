using AgentMemory.Storage;

namespace AgentMemory.Benchmarks.Infrastructure;

/// <summary>
/// A store that counts what the writer sends it before passing it on: new memories, those sent without their
/// embedding, and embeddings sent as a patch of a memory already written.
/// </summary>
internal sealed class CountingStore(IMemoryStore inner) : IMemoryStore
{
    private long _inserts;
    private long _bare;
    private long _embeddingPatches;

    public long Inserts => Interlocked.Read(ref _inserts);

    /// <summary>New memories written without their embedding (written again when it comes).</summary>
    public long Bare => Interlocked.Read(ref _bare);

    public long EmbeddingPatches => Interlocked.Read(ref _embeddingPatches);

    public bool NotificationsConnected => inner.NotificationsConnected;

    public Task InitializeAsync(CancellationToken cancellationToken = default) => inner.InitializeAsync(cancellationToken);

    public Task ApplyAsync(MemoryChangeSet changes, CancellationToken cancellationToken = default)
    {
        Interlocked.Add(ref _inserts, changes.Inserts.Count);
        Interlocked.Add(ref _bare, changes.Inserts.Count(static e => e.Embedding is null));
        Interlocked.Add(ref _embeddingPatches, changes.Updates.Count(static p => (p.Fields & MemoryFields.Embedding) != 0));
        return inner.ApplyAsync(changes, cancellationToken);
    }

    public IAsyncEnumerable<MemoryEntry> LoadMemoriesAsync(string agentId, CancellationToken cancellationToken = default) => inner.LoadMemoriesAsync(agentId, cancellationToken);

    public Task<AgentState?> GetAgentAsync(string agentId, CancellationToken cancellationToken = default) => inner.GetAgentAsync(agentId, cancellationToken);

    public IAsyncEnumerable<AgentState> ListAgentsAsync(CancellationToken cancellationToken = default) => inner.ListAgentsAsync(cancellationToken);

    public Task<MemoryChangePage> ReadChangesAsync(MemoryChangeQuery query, CancellationToken cancellationToken = default) => inner.ReadChangesAsync(query, cancellationToken);

    public Task<bool> WaitForChangesAsync(Guid reader, TimeSpan timeout, CancellationToken cancellationToken = default) => inner.WaitForChangesAsync(reader, timeout, cancellationToken);

    public Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default) => inner.PruneAsync(before, cancellationToken);
}
