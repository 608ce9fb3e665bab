using AgentMemory.Sqlite.Tests.TestSupport;
using AgentMemory.Tests.MultiHost;
using NUnit.Framework;

namespace AgentMemory.Sqlite.Tests.MultiHost;

/// <summary>Two hosts in two OS processes on one SQLite file: they see each other's changes by polling the change sequence.</summary>
public sealed class SqliteTwoProcessTests : TwoProcessContract
{
    private SqliteTestFile? _file;

    protected override Task<string[]> CreateStoreAsync()
    {
        _file = SqliteTestFile.Create();
        return Task.FromResult<string[]>(["sqlite", _file.ConnectionString]);
    }

    protected override async Task<string?> StoredImportanceAndContentAsync(Guid id) =>
        await _file!.ScalarAsync<string>($"SELECT importance || ' ' || content FROM memories WHERE hex(id) = '{Hex(id)}'");

    protected override async Task<IReadOnlyList<Guid>> StoredIdsAsync(string agentId) =>
        [.. ((await _file!.ScalarAsync<string>($"SELECT group_concat(hex(id), ',') FROM memories WHERE agent_id = '{agentId}'")) ?? string.Empty)
            .Split(',', StringSplitOptions.RemoveEmptyEntries).Select(static h => new Guid(Convert.FromHexString(h), bigEndian: true))];

    [TearDown]
    public async Task DeleteFileAsync()
    {
        if (_file is not null)
        {
            await _file.DisposeAsync();
        }
    }

    private static string Hex(Guid id) => Convert.ToHexString(id.ToByteArray(bigEndian: true));
}
