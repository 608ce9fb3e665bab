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
    /// The reading host: rows it wrote last are left out, unless another host ever wrote them too (then the row may
    /// hold changes the reader has not seen, and the reader gets it back).
    /// </summary>
    public Guid Reader { get; init; }

    /// <summary>
    /// Memories to return as stored now, access totals included, whoever wrote them last and wherever their last change
    /// is: those whose change the reader could not apply before (its own change of them was not written yet), and those
    /// whose access totals came before the memory. One not stored is left out.
    /// </summary>
    public IReadOnlyCollection<MemoryKey> Refetch { get; init; } = [];

    /// <summary>
    /// About this many memories at most: a page ends before the first change beyond it (<see cref="MemoryChangePage.HasMore"/>),
    /// but never inside one commit, so one large commit comes whole. At least 1; 10,000 by default.
    /// </summary>
    public int Limit { get; init; } = 10_000;
}
