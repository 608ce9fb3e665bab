using System.ComponentModel.DataAnnotations;

namespace AgentMemory;

/// <summary>Options of the write-behind writer.</summary>
public sealed class PersistenceOptions
{
    /// <summary>When a change counts as saved; <see cref="AgentMemory.Durability.WriteBehind"/> by default.</summary>
    [EnumDataType(typeof(Durability))]
    public Durability Durability { get; set; } = Durability.WriteBehind;

    /// <summary>How many changes may wait for the writer before callers are held back; 100,000 by default.</summary>
    [Range(1, 100_000_000)]
    public int QueueCapacity { get; set; } = 100_000;

    /// <summary>What a mutating call does when the queue is full; wait by default.</summary>
    [EnumDataType(typeof(QueueFullMode))]
    public QueueFullMode QueueFullMode { get; set; } = QueueFullMode.Wait;

    /// <summary>
    /// How many waiting changes make the writer start a batch before <see cref="BatchInterval"/> ends; 2,000 by default.
    /// </summary>
    [Range(1, 1_000_000)]
    public int BatchSize { get; set; } = 2_000;

    /// <summary>
    /// The most changes written in one transaction; 10,000 by default, and never less than <see cref="BatchSize"/>.
    /// When more changes wait than <see cref="BatchSize"/> (the writer fell behind a burst, or the store was down), one
    /// transaction takes up to this many: fewer commits and round trips while the writer catches up.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxBatchSize { get; set; } = 10_000;

    /// <summary>
    /// How long the writer waits for a batch to fill before writing what it has; 50 ms by default. It is also the
    /// longest the writer waits for embeddings still being computed when every memory it took waits for one.
    /// </summary>
    // Checked by AgentMemoryOptionsTimeValidator: 00:00:00 to 00:10:00.
    public TimeSpan BatchInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The first delay before retrying a failed batch; 100 ms by default. It doubles up to <see cref="MaxRetryDelay"/>.</summary>
    // Checked by AgentMemoryOptionsTimeValidator: 00:00:00.001 to 01:00:00.
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay between retries while the store is down; 10 seconds by default.</summary>
    // Checked by AgentMemoryOptionsTimeValidator: 00:00:00.001 to 01:00:00.
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(10);
}
