using AgentMemory.PostgreSql.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Contract;

/// <summary>The shared store contract, against a real PostgreSQL server.</summary>
public sealed class PostgresStoreContractTests : MemoryStoreContract
{
    private PostgresTestStore? _store;

    protected override async Task<IMemoryStore> CreateStoreAsync() => (_store = await PostgresTestStore.CreateAsync()).Store;

    [OneTimeTearDown]
    public async Task DropSchemaAsync()
    {
        if (_store is not null)
        {
            await _store.DisposeAsync();
        }
    }
}
