namespace AgentMemory;

/// <summary>What a mutating call does when the write-behind queue is full.</summary>
public enum QueueFullMode
{
    /// <summary>Wait (asynchronously) until the background writer has made room. The default.</summary>
    Wait = 0,

    /// <summary>Fail fast with a <see cref="MemoryQueueFullException"/>; nothing is changed.</summary>
    Throw = 1,
}
