using AgentMemory.Sqlite.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Sqlite.Tests.Contract;

/// <summary>The shared store contract, unchanged, on a SQLite file.</summary>
public sealed class SqliteStoreContractTests : MemoryStoreContract
{
    private readonly SqliteTestFile _file = SqliteTestFile.Create();

    protected override Task<IMemoryStore> CreateStoreAsync() => Task.FromResult<IMemoryStore>(_file.Store());

    [OneTimeTearDown]
    public async Task DeleteFileAsync() => await _file.DisposeAsync();
}
