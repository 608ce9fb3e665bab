using Npgsql;

namespace AgentMemory.PostgreSql.Tests.TestSupport;

/// <summary>A schema of its own for one fixture or test, in the run's database; dropped on dispose.</summary>
public sealed class PostgresTestSchema : IAsyncDisposable
{
    private PostgresTestSchema(PostgresServer server, string name)
    {
        Server = server;
        Name = name;
        DataSource = NpgsqlDataSource.Create(server.ConnectionString);
    }

    public PostgresServer Server { get; }

    public string Name { get; }

    public string ConnectionString => Server.ConnectionString;

    /// <summary>For the test's own queries.</summary>
    public NpgsqlDataSource DataSource { get; }

    public static async Task<PostgresTestSchema> CreateAsync()
    {
        var server = await PostgresServer.GetAsync();
        return new PostgresTestSchema(server, $"t_{Guid.NewGuid():N}");
    }

    public async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var command = DataSource.CreateCommand(sql.Replace("@schema", $"\"{Name}\"", StringComparison.Ordinal));
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task ExecuteAsync(string sql)
    {
        await using var command = DataSource.CreateCommand(sql.Replace("@schema", $"\"{Name}\"", StringComparison.Ordinal));
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await ExecuteAsync("DROP SCHEMA IF EXISTS @schema CASCADE");
        }
        catch (NpgsqlException)
        {
            // The run's database is dropped at the end anyway.
        }

        await DataSource.DisposeAsync();
    }
}
