using AgentMemory.PostgreSql.Storage;
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
        var store = new PostgresMemoryStore(new PostgresDataSourceProvider(schema.DataSource, owned: false), Options.Create(new PostgresMemoryStoreOptions { Schema = schema.Name }));
        await store.InitializeAsync();
        return new PostgresTestStore(schema, store);
    }

    public ValueTask DisposeAsync() => Schema.DisposeAsync();
}
