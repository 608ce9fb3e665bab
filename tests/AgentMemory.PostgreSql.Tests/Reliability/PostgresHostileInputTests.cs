using AgentMemory.PostgreSql.Tests.TestSupport;
using AgentMemory.Tests.Reliability;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Reliability;

/// <summary>Hostile inputs through PostgreSQL and back after a restart; the schema's tables are intact afterwards.</summary>
public sealed class PostgresHostileInputTests : HostileInputTests
{
    private PostgresTestStore? _store;

    protected override async Task<IMemoryStore> CreateStoreAsync() => (_store = await PostgresTestStore.CreateAsync()).Store;

    protected override async Task AssertStoreIntactAsync(IMemoryStore store, int expectedMemories)
    {
        var schema = _store!.Schema;
        var tables = await schema.ScalarAsync<long>($"SELECT count(*) FROM information_schema.tables WHERE table_schema = '{schema.Name}' AND table_name IN ('memories', 'agents', 'schema_migrations')");
        Assert.That(tables, Is.EqualTo(3), "no table was dropped or renamed");
        Assert.That(await schema.ScalarAsync<long>("SELECT count(*) FROM @schema.memories"), Is.EqualTo(expectedMemories));
        Assert.That(await schema.ScalarAsync<long>("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'"), Is.Zero, "nothing was created outside the schema");
    }

    [TearDown]
    public async Task DropSchemaAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }
}
