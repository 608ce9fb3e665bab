using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMemory.PostgreSql.Tests.TestSupport;

/// <summary>A memory test host on the PostgreSQL store, in a test schema.</summary>
public static class PostgresHost
{
    public static MemoryTestHost Create(
        PostgresTestSchema schema,
        Action<AgentMemoryOptions>? configure = null,
        Action<PostgresMemoryStoreOptions>? postgres = null,
        Action<IServiceCollection>? services = null) =>
        MemoryTestHost.Create(configure, services: collection =>
        {
            collection.AddAgentMemory().UsePostgres(schema.ConnectionString, o =>
            {
                o.Schema = schema.Name;
                o.CommandTimeout = TimeSpan.FromSeconds(5);
                postgres?.Invoke(o);
            });
            services?.Invoke(collection);
        });

    /// <summary>Starts the host (migrates the schema) and returns it.</summary>
    public static async Task<MemoryTestHost> StartAsync(PostgresTestSchema schema, Action<AgentMemoryOptions>? configure = null, Action<PostgresMemoryStoreOptions>? postgres = null)
    {
        var host = Create(schema, configure, postgres);
        await host.StartAsync();
        return host;
    }
}
