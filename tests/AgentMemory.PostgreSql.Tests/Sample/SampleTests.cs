using AgentMemory.PostgreSql.Tests.TestSupport;
using AgentMemory.Tests.TestSupport;
using NUnit.Framework;
using Npgsql;

namespace AgentMemory.PostgreSql.Tests.Sample;

/// <summary>Runs the sample end to end on the in-memory store and on PostgreSQL, and reads its output.</summary>
public sealed class SampleTests
{
    [Test]
    public async Task RunsToTheEndOnTheInMemoryStore()
    {
        var output = await SampleRun.RunAsync("--in-memory");

        Assert.That(output, Does.StartWith("AgentMemory sample on the in-memory store"));
        Assert.That(output, Does.Contain("Loaded 0 memories for agent support-agent."));
        Assert.That(output, Does.Contain("recalled").And.Contain("relevance"));
        Assert.That(output, Does.Match(@"2\. Consolidation \(on demand; the background service runs it every 6 hours\): \d+ promoted to semantic, \d+ merged, \d+ forgotten, \d+ expired, \d+ working memories settled; \d+ kept"));
        Assert.That(output, Does.Contain("round 6:"));
        Assert.That(output.TrimEnd(), Does.EndWith("Done."));
    }

    [Test]
    public async Task OnPostgresTheSecondRunStartsWithWhatTheFirstLearned()
    {
        var server = await PostgresServer.GetAsync();
        var database = $"sample_{Guid.NewGuid():N}";
        await using (var connection = new NpgsqlConnection(server.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        var connectionString = new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = database }.ConnectionString;
        try
        {
            var first = await SampleRun.RunAsync("--postgres", connectionString);
            var second = await SampleRun.RunAsync("--postgres", connectionString);

            Assert.That(first, Does.StartWith("AgentMemory sample on PostgreSQL"));
            Assert.That(first, Does.Contain("Loaded 0 memories"));
            Assert.That(second, Does.Contain($"Loaded {SampleRun.DurableMemories(first)} memories for agent support-agent."));
            Assert.That(second, Does.Contain("round 1: 100 %"), "the second run succeeds at once with what the first learned");
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(server.ConnectionString);
            await connection.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)", connection);
            await drop.ExecuteNonQueryAsync();
        }
    }
}
