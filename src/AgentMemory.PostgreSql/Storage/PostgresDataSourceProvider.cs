using Npgsql;

namespace AgentMemory.PostgreSql.Storage;

/// <summary>The data source the store uses, and whether this package built it (and so disposes it).</summary>
internal sealed class PostgresDataSourceProvider(NpgsqlDataSource dataSource, bool owned) : IAsyncDisposable
{
    public NpgsqlDataSource DataSource { get; } = dataSource;

    public ValueTask DisposeAsync() => owned ? DataSource.DisposeAsync() : ValueTask.CompletedTask;
}
