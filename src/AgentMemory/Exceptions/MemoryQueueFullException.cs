namespace AgentMemory;

/// <summary>
/// Thrown by a mutating call when the write-behind queue is full and <see cref="QueueFullMode.Throw"/> is configured.
/// Nothing was changed; the call can be retried once the background writer catches up.
/// </summary>
public sealed class MemoryQueueFullException : InvalidOperationException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="capacity">The queue's capacity.</param>
    public MemoryQueueFullException(int capacity)
        : base($"The write-behind queue is full ({capacity} pending changes); the store is not keeping up or is unavailable. Nothing was changed.")
    {
        Capacity = capacity;
    }

    /// <summary>The queue's capacity.</summary>
    public int Capacity { get; }
}
