namespace AgentMemory.Storage;

/// <summary>
/// Makes sure one agent is never consolidated by two runs at once. The in-memory store's lock works within the
/// process; a store shared by several hosts registers one that works across them (PostgreSQL uses an advisory lock
/// per agent).
/// </summary>
public interface IConsolidationLock
{
    /// <summary>Takes the agent's lock if nobody holds it.</summary>
    /// <param name="agentId">The agent.</param>
    /// <param name="cancellationToken">Cancels the attempt.</param>
    /// <returns>The held lock, released when disposed; <see langword="null"/> when another run holds it.</returns>
    ValueTask<IAsyncDisposable?> TryAcquireAsync(string agentId, CancellationToken cancellationToken = default);
}
