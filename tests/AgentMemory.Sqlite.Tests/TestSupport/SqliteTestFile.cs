using AgentMemory.Sqlite;
using AgentMemory.Sqlite.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace AgentMemory.Sqlite.Tests.TestSupport;

/// <summary>A database file in a fresh temporary folder, removed (with its -wal and -shm files) when disposed.</summary>
public sealed class SqliteTestFile : IAsyncDisposable
{
    private SqliteTestFile(string folder)
    {
        Folder = folder;
        Path = System.IO.Path.Combine(folder, "agentmemory.db");
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = Path }.ToString();
    }

    public string Folder { get; }

    public string Path { get; }

    public string ConnectionString { get; }

    public static SqliteTestFile Create() => new(Directory.CreateTempSubdirectory("agentmemory-sqlite-").FullName);

    /// <summary>A store on the file (not initialized).</summary>
    internal SqliteMemoryStore Store(Action<SqliteMemoryStoreOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new SqliteMemoryStoreOptions { BusyTimeout = TimeSpan.FromSeconds(2) };
        configure?.Invoke(options);
        return new SqliteMemoryStore(new SqliteConnections(ConnectionString, options), Options.Create(options), time);
    }

    /// <summary>Runs a query on the file directly and returns its first value.</summary>
    public async Task<T?> ScalarAsync<T>(string sql)
    {
        await using var connection = new SqliteConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)Convert.ChangeType(value, Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public ValueTask DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A child process may still hold the file for a moment; the temporary folder is the system's to clean.
        }

        return ValueTask.CompletedTask;
    }
}
