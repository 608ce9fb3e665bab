using AgentMemory.PostgreSql.Tests.TestSupport;
using AgentMemory.Tests.MultiHost;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.MultiHost;

/// <summary>Two hosts in two OS processes on one PostgreSQL schema.</summary>
public sealed class TwoProcessTests : TwoProcessContract
{
    private PostgresTestSchema? _schema;

    protected override async Task<string[]> CreateStoreAsync()
    {
        _schema = await PostgresTestSchema.CreateAsync();
        return ["postgres", _schema.ConnectionString, _schema.Name];
    }

    protected override Task<string?> StoredImportanceAndContentAsync(Guid id) =>
        _schema!.ScalarAsync<string>($"SELECT importance || ' ' || content FROM @schema.memories WHERE id = '{id}'");

    protected override async Task<IReadOnlyList<Guid>> StoredIdsAsync(string agentId) =>
        [.. ((await _schema!.ScalarAsync<string?>($"SELECT string_agg(id::text, ',') FROM @schema.memories WHERE agent_id = '{agentId}'")) ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries).Select(Guid.Parse)];

    [TearDown]
    public async Task DropSchemaAsync()
    {
        if (_schema is not null)
        {
            await _schema.DisposeAsync();
        }
    }
}
