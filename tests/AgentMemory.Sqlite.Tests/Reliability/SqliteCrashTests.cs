using AgentMemory.Sqlite.Tests.TestSupport;
using AgentMemory.Tests.Reliability;
using Microsoft.Data.Sqlite;
using NUnit.Framework;

namespace AgentMemory.Sqlite.Tests.Reliability;

/// <summary>A host killed with SIGKILL mid-stream, on a SQLite file: nothing acknowledged lost, and the file intact.</summary>
public sealed class SqliteCrashTests : CrashContract
{
    private SqliteTestFile? _file;

    protected override Task<string[]> CreateStoreAsync()
    {
        _file = SqliteTestFile.Create();
        return Task.FromResult<string[]>(["sqlite", _file.ConnectionString]);
    }

    protected override async Task<Dictionary<Guid, string>> StoredAsync()
    {
        Assert.That(await _file!.ScalarAsync<string>("PRAGMA integrity_check"), Is.EqualTo("ok"), "the killed process left the file intact");
        var stored = new Dictionary<Guid, string>();
        await using var connection = new SqliteConnection(_file.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT id, content FROM memories WHERE agent_id = 'crash-agent'";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            stored.Add(new Guid((byte[])reader.GetValue(0), bigEndian: true), reader.GetString(1));
        }

        return stored;
    }

    [TearDown]
    public async Task DeleteFileAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync();
        }
    }
}
