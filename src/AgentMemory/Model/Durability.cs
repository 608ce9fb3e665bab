namespace AgentMemory;

/// <summary>When a remembered memory counts as saved.</summary>
public enum Durability
{
    /// <summary>
    /// The default. A mutation is visible at once and saved by the background writer in batches; a call returns
    /// without waiting for the database. A process killed before the batch commits loses what was still queued
    /// (bounded by the queue); a graceful shutdown drains the queue.
    /// </summary>
    WriteBehind = 0,

    /// <summary>
    /// A mutating call returns only after its change is committed. Concurrent callers share transactions
    /// (group commit), so throughput stays high under concurrency while each call waits for the database.
    /// </summary>
    WriteThrough = 1,
}
