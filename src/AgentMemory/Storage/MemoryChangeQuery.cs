namespace AgentMemory.Storage;

/// <summary>What a host asks the change feed for (see <see cref="IMemoryStore.ReadChangesAsync"/>).</summary>
public sealed record MemoryChangeQuery
{
    /// <summary>
    /// Where to start: the <see cref="MemoryChangePage.Next"/> of the previous page (changes at or after it are
    /// returned), or <see langword="null"/> for a first call, which returns no change and the position of now.
    /// </summary>
    public long? From { get; init; }

    /// <summary>The agents whose changes to return.</summary>
    public IReadOnlyCollection<string> AgentIds { get; init; } = [];

    /// <summary>
    /// The reading host: rows it wrote last are left out, unless its write landed on a row another host had written
    /// (then the row combines both hosts' changes, and the reader gets it back).
    /// </summary>
    public Guid Reader { get; init; }

    /// <summary>At most this many memories; beyond it the page says <see cref="MemoryChangePage.MustReload"/>.</summary>
    public int Limit { get; init; } = 10_000;
}
