using AgentMemory.PostgreSql.Storage;
using AgentMemory.PostgreSql.Tests.TestSupport;
using AgentMemory.Tests.Reliability;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Reliability;

/// <summary>Agent isolation on PostgreSQL, through a restart.</summary>
public sealed class PostgresIsolationTests : IsolationTests
{
    private PostgresTestSchema? _schema;

    protected override async Task<IMemoryStore> CreateStoreAsync()
    {
        _schema = await PostgresTestSchema.CreateAsync();
        var store = new PostgresMemoryStore(new PostgresDataSourceProvider(_schema.DataSource, owned: false), Options.Create(new PostgresMemoryStoreOptions { Schema = _schema.Name }));
        await store.InitializeAsync();
        return store;
    }

    [TearDown]
    public async Task DropSchemaAsync()
    {
        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }
}
