using AgentMemory.PostgreSql.Tests.TestSupport;
using AgentMemory.Tests.Reliability;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Reliability;

/// <summary>Agent isolation on PostgreSQL, through a restart.</summary>
public sealed class PostgresIsolationTests : IsolationTests
{
    private PostgresTestStore? _store;

    protected override async Task<IMemoryStore> CreateStoreAsync() => (_store = await PostgresTestStore.CreateAsync()).Store;

    [TearDown]
    public async Task DropSchemaAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }
}
