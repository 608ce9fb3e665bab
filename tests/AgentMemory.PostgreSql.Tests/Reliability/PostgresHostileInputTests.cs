using AgentMemory.PostgreSql.Storage;
using AgentMemory.PostgreSql.Tests.TestSupport;
using AgentMemory.Tests.Reliability;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Reliability;

/// <summary>Hostile inputs through PostgreSQL and back after a restart; the schema's tables are intact afterwards.</summary>
public sealed class PostgresHostileInputTests : HostileInputTests
{
    private PostgresTestSchema? _schema;

    protected override async Task<IMemoryStore> CreateStoreAsync()
    {
        _schema = await PostgresTestSchema.CreateAsync();
        var store = new PostgresMemoryStore(new PostgresDataSourceProvider(_schema.DataSource, owned: false), Options.Create(new PostgresMemoryStoreOptions { Schema = _schema.Name }));
        await store.InitializeAsync();
        return store;
    }

    protected override async Task AssertStoreIntactAsync(IMemoryStore store, int expectedMemories)
    {
        var tables = await _schema!.ScalarAsync<long>($"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{_schema.Name}' AND table_name IN ('memories', 'agents', 'schema_migrations')");
        Assert.That(tables, Is.EqualTo(3), "no table was dropped or renamed");
        Assert.That(await _schema.ScalarAsync<long>("SELECT count(*) FROM @schema.memories"), Is.EqualTo(expectedMemories));
        Assert.That(await _schema.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), Is.Zero, "nothing was created outside the schema");
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
