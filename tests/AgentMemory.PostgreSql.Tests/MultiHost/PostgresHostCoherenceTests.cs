using AgentMemory.PostgreSql.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.MultiHost;

/// <summary>Several hosts, each with its own service provider and data source, on one PostgreSQL schema.</summary>
public sealed class PostgresHostCoherenceTests : HostCoherenceContract
{
    private PostgresTestSchema? _schema;

    [OneTimeSetUp]
    public async Task CreateSchemaAsync() => _schema = await PostgresTestSchema.CreateAsync();

    [OneTimeTearDown]
    public async Task DropSchemaAsync()
    {
        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }

    protected override void UseSharedStore(IAgentMemoryBuilder memory) =>
        memory.UsePostgres(_schema!.ConnectionString, o => o.Schema = _schema.Name);
}
