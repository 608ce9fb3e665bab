using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMemory.Sqlite.Tests.TestSupport;

/// <summary>A memory test host on the SQLite store, on a test file.</summary>
public static class SqliteHost
{
    public static MemoryTestHost Create(SqliteTestFile file, Action<AgentMemoryOptions>? configure = null, Action<SqliteMemoryStoreOptions>? sqlite = null) =>
        MemoryTestHost.Create(configure, services: collection => collection.AddAgentMemory().UseSqlite(file.ConnectionString, o =>
        {
            o.BusyTimeout = TimeSpan.FromSeconds(2);
            sqlite?.Invoke(o);
        }));

    /// <summary>Starts the host (creates the tables) and returns it.</summary>
    public static async Task<MemoryTestHost> StartAsync(SqliteTestFile file, Action<AgentMemoryOptions>? configure = null, Action<SqliteMemoryStoreOptions>? sqlite = null)
    {
        var host = Create(file, configure, sqlite);
        await host.StartAsync();
        return host;
    }
}
