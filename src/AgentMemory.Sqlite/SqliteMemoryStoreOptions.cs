namespace AgentMemory.Sqlite;

/// <summary>Options of the SQLite store, set through <c>UseSqlite(…, options => …)</c>.</summary>
public sealed class SqliteMemoryStoreOptions
{
    /// <summary>
    /// How long a statement waits for another connection or process to release the file's lock before it fails
    /// (SQLite's busy handler sleeps meanwhile; nothing spins). A write that fails this way is retried by the
    /// write-behind writer. Rounded up to whole seconds past the first (Microsoft.Data.Sqlite's own retry counts in
    /// seconds). Default 5 seconds.
    /// </summary>
    public TimeSpan BusyTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often a host looks at the file for changes other processes committed (the change feed has no
    /// notifications across processes; hosts in one process wake each other at once). Default 100 milliseconds.
    /// </summary>
    public TimeSpan ChangePollInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The largest the database file may grow, in bytes (SQLite's <c>max_page_count</c>); a write past it fails with
    /// "database or disk is full" and is retried, like a full disk. <see langword="null"/> (the default): no limit.
    /// </summary>
    public long? MaxFileSize { get; set; }

    /// <summary>How long a consolidation lease lasts unless its holder renews it (a process that died holds it this long at most). Default 1 minute.</summary>
    public TimeSpan ConsolidationLease { get; set; } = TimeSpan.FromMinutes(1);
}
