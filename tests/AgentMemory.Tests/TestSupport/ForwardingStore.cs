using AgentMemory.Storage;

namespace AgentMemory.Tests.TestSupport;

/// <summary>A store that passes every call to another; a test's store overrides the calls it changes.</summary>
public abstract class ForwardingStore(IMemoryStore inner) : IMemoryStore
{
    /// <summary>The store the calls go to.</summary>
    public IMemoryStore Inner { get; } = inner;

    public virtual bool NotificationsConnected => Inner.NotificationsConnected;

    public virtual Task InitializeAsync(CancellationToken cancellationToken = default) => Inner.InitializeAsync(cancellationToken);

    public virtual Task ApplyAsync(MemoryChangeSet changes, CancellationToken cancellationToken = default) => Inner.ApplyAsync(changes, cancellationToken);

    public virtual IAsyncEnumerable<MemoryEntry> LoadMemoriesAsync(string agentId, CancellationToken cancellationToken = default) => Inner.LoadMemoriesAsync(agentId, cancellationToken);

    public virtual Task<AgentState?> GetAgentAsync(string agentId, CancellationToken cancellationToken = default) => Inner.GetAgentAsync(agentId, cancellationToken);

    public virtual IAsyncEnumerable<AgentState> ListAgentsAsync(CancellationToken cancellationToken = default) => Inner.ListAgentsAsync(cancellationToken);

    public virtual Task<MemoryChangePage> ReadChangesAsync(MemoryChangeQuery query, CancellationToken cancellationToken = default) => Inner.ReadChangesAsync(query, cancellationToken);

    public virtual Task<bool> WaitForChangesAsync(Guid reader, TimeSpan timeout, CancellationToken cancellationToken = default) => Inner.WaitForChangesAsync(reader, timeout, cancellationToken);

    public virtual Task<int> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken = default) => Inner.PruneAsync(before, cancellationToken);
}
