using AgentMemory.Sqlite.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace AgentMemory.Sqlite.Tests.MultiHost;

/// <summary>Several hosts, each with its own service provider and store, on one SQLite file.</summary>
public sealed class SqliteHostCoherenceTests : HostCoherenceContract
{
    private readonly SqliteTestFile _file = SqliteTestFile.Create();

    [OneTimeTearDown]
    public async Task DeleteFileAsync() => await _file.DisposeAsync();

    protected override void UseSharedStore(IAgentMemoryBuilder memory) => memory.UseSqlite(_file.ConnectionString);
}
