using AgentMemory.PostgreSql.Storage;
using AgentMemory.PostgreSql.Tests.TestSupport;
using AgentMemory.Tests.Contract;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Contract;

/// <summary>The shared store contract, against a real PostgreSQL server.</summary>
public sealed class PostgresStoreContractTests : MemoryStoreContractTests
{
    private PostgresTestSchema? _schema;

    protected override async Task<IMemoryStore> CreateStoreAsync()
    {
        _schema = await PostgresTestSchema.CreateAsync();
        return new PostgresMemoryStore(
            new PostgresDataSourceProvider(_schema.DataSource, owned: false),
            Options.Create(new PostgresMemoryStoreOptions { Schema = _schema.Name }));
    }

    [OneTimeTearDown]
    public async Task DropSchemaAsync()
    {
        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }
}
