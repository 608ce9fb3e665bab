using AgentMemory.Sqlite.Tests.TestSupport;
using AgentMemory.Tests.Reliability;
using NUnit.Framework;

namespace AgentMemory.Sqlite.Tests.Reliability;

/// <summary>Agent isolation on SQLite, through a restart.</summary>
public sealed class SqliteIsolationTests : IsolationTests
{
    private SqliteTestFile? _file;

    protected override Task<IMemoryStore> CreateStoreAsync() => Task.FromResult<IMemoryStore>((_file = SqliteTestFile.Create()).Store());

    [TearDown]
    public async Task DeleteFileAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync();
        }
    }
}
