using AgentMemory.Sqlite.Tests.TestSupport;
using AgentMemory.Tests.Reliability;
using NUnit.Framework;

namespace AgentMemory.Sqlite.Tests.Reliability;

/// <summary>Hostile inputs through SQLite and back after a restart; the file's tables are intact afterwards.</summary>
public sealed class SqliteHostileInputTests : HostileInputTests
{
    private SqliteTestFile? _file;

    protected override Task<IMemoryStore> CreateStoreAsync() => Task.FromResult<IMemoryStore>((_file = SqliteTestFile.Create()).Store());

    protected override async Task AssertStoreIntactAsync(IMemoryStore store, int expectedMemories)
    {
        var tables = await _file!.ScalarAsync<long>("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('memories', 'agents', 'schema_migrations')");
        Assert.That(tables, Is.EqualTo(3), "no table was dropped or renamed");
        Assert.That(await _file.ScalarAsync<long>("SELECT count(*) FROM memories"), Is.EqualTo(expectedMemories));
        Assert.That(await _file.ScalarAsync<string>("PRAGMA integrity_check"), Is.EqualTo("ok"));
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
