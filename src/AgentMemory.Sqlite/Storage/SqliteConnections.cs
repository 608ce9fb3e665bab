using Microsoft.Data.Sqlite;

namespace AgentMemory.Sqlite.Storage;

/// <summary>
/// Opens connections to the store's file, each set up the same way: SQLite's busy handler waits up to
/// <see cref="SqliteMemoryStoreOptions.BusyTimeout"/> for another writer (it sleeps, it never spins), every commit is
/// synchronous (<c>synchronous = FULL</c>: a commit acknowledged is on disk), a page cache of up to 8 MiB (SQLite's
/// default 2 MiB spills a batch of a few thousand memories to the log before it commits), and the file size limit
/// when one is set.
/// Connections are pooled by Microsoft.Data.Sqlite, so opening one per operation is cheap.
/// </summary>
internal sealed class SqliteConnections
{
    private readonly string _connectionString;
    private readonly string _setup;

    public SqliteConnections(string connectionString, SqliteMemoryStoreOptions options)
    {
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = new SqliteConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            throw new ArgumentException($"The SQLite connection string is not valid: {ex.Message}", nameof(connectionString), ex);
        }

        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            throw new ArgumentException(
                "The SQLite store needs a file (\"Data Source=agentmemory.db\"); for memories kept in process only, use the in-memory store.",
                nameof(connectionString));
        }

        builder.DataSource = System.IO.Path.GetFullPath(builder.DataSource);
        builder.Pooling = true;
        // SQLite has no statement timeout; Microsoft.Data.Sqlite's command timeout bounds only its retries of a busy
        // file, after SQLite's own busy handler gave up: both are the busy timeout.
        builder.DefaultTimeout = Math.Max(1, (int)Math.Ceiling(options.BusyTimeout.TotalSeconds));
        Path = builder.DataSource;
        _connectionString = builder.ToString();
        _setup = FormattableString.Invariant($"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}; PRAGMA synchronous = FULL; PRAGMA cache_size = -8192;")
            + (options.MaxFileSize is { } size ? FormattableString.Invariant($" PRAGMA max_page_count = {Math.Max(1, size / 4096)};") : string.Empty);
    }

    /// <summary>The database file's full path.</summary>
    public string Path { get; }

    /// <summary>
    /// Opens a set-up connection. Microsoft.Data.Sqlite does its work synchronously (its async methods complete before
    /// they return), so this is the one way to open, for async callers too.
    /// </summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            connection.Open();
            using var setup = connection.CreateCommand();
            setup.CommandText = _setup;
            setup.ExecuteNonQuery();
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Open());
    }
}
