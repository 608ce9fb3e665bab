using System.Text.Json;
using AgentMemory.PostgreSql.Tests.TestSupport;
using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Reliability;

/// <summary>
/// The soak benchmark's short variant in the test command: 200 agents, 8 writers, recalls and consolidation for a few
/// seconds, then the database must equal the in-memory state. The full run is <c>soak --seconds 60</c>.
/// </summary>
[NonParallelizable]
public sealed class ShortSoakTests
{
    [Test]
    public async Task UnderLoadTheDatabaseEndsEqualToTheInMemoryState()
    {
        var server = await PostgresServer.GetAsync();
        var dll = ChildProcess.BuiltProgram("tests", "AgentMemory.Benchmarks");
        var output = Path.Combine(Path.GetTempPath(), $"soak-{Guid.NewGuid():N}.json");
        try
        {
            var run = await ChildProcess.RunAsync("dotnet", [dll, "soak", "--seconds", "8", "--out", output], environment: new Dictionary<string, string?> { ["AGENTMEMORY_POSTGRES"] = server.ConnectionString });
            Assert.That(run.ExitCode, Is.Zero, run.ToString);
            TestContext.Out.WriteLine(run.Output);

            using var figures = JsonDocument.Parse(await File.ReadAllTextAsync(output));
            var root = figures.RootElement;
            Assert.That(root.GetProperty("memories_written").GetDouble(), Is.GreaterThan(5_000));
            Assert.That(root.GetProperty("memories_lost").GetDouble(), Is.Zero);
            Assert.That(root.GetProperty("memories_duplicated").GetDouble(), Is.Zero);
            Assert.That(root.GetProperty("recall_p99_ms").GetDouble(), Is.GreaterThan(0));
            Assert.That(root.GetProperty("peak_working_set_mb").GetDouble(), Is.GreaterThan(0));
        }
        finally
        {
            File.Delete(output);
        }
    }
}
