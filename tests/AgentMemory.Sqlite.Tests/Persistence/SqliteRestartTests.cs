using AgentMemory.Sqlite.Tests.TestSupport;
using AgentMemory.Tests.Persistence;
using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Sqlite.Tests.Persistence;

/// <summary>A restart on a SQLite file: every memory back, and the file in WAL mode.</summary>
public sealed class SqliteRestartTests : RestartContract
{
    private SqliteTestFile? _file;

    protected override Task<MemoryTestHost> StartHostAsync() => SqliteHost.StartAsync(_file ??= SqliteTestFile.Create());

    protected override async Task AssertStoreAsync() =>
        Assert.That(await _file!.ScalarAsync<string>("PRAGMA journal_mode"), Is.EqualTo("wal"), "the file runs in WAL mode");

    [TearDown]
    public async Task DeleteFileAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync();
            _file = null;
        }
    }
}
