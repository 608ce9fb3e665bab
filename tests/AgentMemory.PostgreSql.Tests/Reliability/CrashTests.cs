using AgentMemory.PostgreSql.Tests.TestSupport;
using AgentMemory.Tests.Reliability;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Reliability;

/// <summary>A host killed with SIGKILL mid-stream, on PostgreSQL.</summary>
public sealed class CrashTests : CrashContract
{
    private PostgresTestSchema? _schema;

    protected override async Task<string[]> CreateStoreAsync()
    {
        _schema = await PostgresTestSchema.CreateAsync();
        return ["postgres", _schema.ConnectionString, _schema.Name];
    }

    protected override async Task<Dictionary<Guid, string>> StoredAsync()
    {
        var stored = new Dictionary<Guid, string>();
        await using var command = _schema!.DataSource.CreateCommand($"SELECT id, content FROM \"{_schema.Name}\".memories WHERE agent_id = 'crash-agent'");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            stored.Add(reader.GetGuid(0), reader.GetString(1));
        }

        return stored;
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
