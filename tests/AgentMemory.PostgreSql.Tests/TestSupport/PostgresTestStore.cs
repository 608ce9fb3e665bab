using AgentMemory.PostgreSql.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMemory.PostgreSql.Tests.TestSupport;

/// <summary>A PostgreSQL store in a schema of its own, for the store-independent suites; drops the schema on dispose.</summary>
public sealed class PostgresTestStore : IAsyncDisposable
{
    private PostgresTestStore(PostgresTestSchema schema, IMemoryStore store)
    {
        Schema = schema;
        Store = store;
    }

    public PostgresTestSchema Schema { get; }

    public IMemoryStore Store { get; }

    public static async Task<PostgresTestStore> CreateAsync()
    {
        var schema = await PostgresTestSchema.CreateAsync();
        var store = Open(schema);
        await store.InitializeAsync();
        return new PostgresTestStore(schema, store);
    }

    /// <summary>A store on <paramref name="schema"/> (not initialized), over the schema's data source, which it does not own.</summary>
    internal static PostgresMemoryStore Open(PostgresTestSchema schema, ILoggerFactory? loggers = null) =>
        new(new PostgresDataSourceProvider(schema.DataSource, owned: false), Options.Create(new PostgresMemoryStoreOptions { Schema = schema.Name }), loggers);

    public ValueTask DisposeAsync() => Schema.DisposeAsync();
}
