using Npgsql;

namespace AgentMemory.PostgreSql.Storage;

/// <summary>
/// The data sources the store uses, and whether this package built them (and so disposes them). Writes may have a
/// data source of their own (see <see cref="Writes"/>).
/// </summary>
internal sealed class PostgresDataSourceProvider(NpgsqlDataSource dataSource, bool owned, NpgsqlDataSource? writes = null) : IAsyncDisposable
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    /// <summary>
    /// What the writer's transactions use. When this package builds the data sources, writes get one whose connections
    /// keep their session when they go back to the pool (no <c>DISCARD ALL</c>): the writer's temporary staging table
    /// then lives as long as the connection instead of being created again, with its catalog rows, for every batch
    /// that holds an update. Only the writer's transactions use it, and they leave nothing else in the session.
    /// </summary>
    public NpgsqlDataSource Writes { get; } = writes ?? dataSource;

    /// <summary>Builds the data sources for a connection string; this package owns and disposes them.</summary>
    public static PostgresDataSourceProvider Create(NpgsqlConnectionStringBuilder connectionString) =>
        new(
            NpgsqlDataSource.Create(connectionString),
            owned: true,
            NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connectionString.ConnectionString) { NoResetOnClose = true }));

    public async ValueTask DisposeAsync()
    {
        if (owned)
        {
            await DataSource.DisposeAsync().ConfigureAwait(false);
            if (!ReferenceEquals(Writes, DataSource))
            {
                await Writes.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
