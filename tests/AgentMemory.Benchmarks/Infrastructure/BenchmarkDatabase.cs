using AgentMemory.PostgreSql.Storage;
using Npgsql;

namespace AgentMemory.Benchmarks.Infrastructure;

/// <summary>A database of the benchmark's own on the server named by AGENTMEMORY_POSTGRES; dropped on dispose.</summary>
internal sealed class BenchmarkDatabase : IAsyncDisposable
{
    private readonly string _server;

    private BenchmarkDatabase(string server, string name)
    {
        _server = server;
        Name = name;
        ConnectionString = new NpgsqlConnectionStringBuilder(server) { Database = name, MaxPoolSize = 50 }.ConnectionString;
    }

    public string Name { get; }

    public string ConnectionString { get; }

    public static async Task<BenchmarkDatabase> CreateAsync()
    {
        var server = Environment.GetEnvironmentVariable("AGENTMEMORY_POSTGRES");
        if (string.IsNullOrWhiteSpace(server))
        {
            throw new InvalidOperationException(
                "Set AGENTMEMORY_POSTGRES to a PostgreSQL connection string (e.g. Host=127.0.0.1;Port=5432;Username=postgres); the benchmark creates and drops its own database there.");
        }

        var name = $"agentmemory_bench_{Guid.NewGuid():N}";
        await using var connection = new NpgsqlConnection(server);
        await connection.OpenAsync();
        await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await create.ExecuteNonQueryAsync();
        return new BenchmarkDatabase(server, name);
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>One binary COPY of <paramref name="entries"/> into the memories table, with the store's own row writer.</summary>
    public static Task CopyMemoriesAsync(NpgsqlConnection connection, IReadOnlyList<MemoryEntry> entries) =>
        MemoryRowWriter.CopyAsync(connection, "agent_memory.memories", entries, TimeSpan.FromMinutes(5), CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(_server);
        await connection.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{Name}\" WITH (FORCE)", connection);
        await drop.ExecuteNonQueryAsync();
    }
}
