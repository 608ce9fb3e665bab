using AgentMemory.Sqlite.Tests.TestSupport;
using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Sqlite.Tests.Sample;

/// <summary>The sample on its default store, a SQLite file: the second run starts from what the first one kept.</summary>
public sealed class SqliteSampleTests
{
    [Test]
    public async Task TheSecondRunLoadsWhatTheFirstKeptInTheFile()
    {
        await using var file = SqliteTestFile.Create();
        var first = await SampleRun.RunAsync("--sqlite", file.Path);
        var second = await SampleRun.RunAsync("--sqlite", file.Path);

        Assert.That(first, Does.StartWith($"AgentMemory sample on SQLite at {file.Path}: memories persist across runs."));
        Assert.That(first, Does.Contain("Loaded 0 memories for agent support-agent."));
        Assert.That(SampleRun.DurableMemories(first), Is.EqualTo(14));
        Assert.That(second, Does.Contain("Loaded 14 memories for agent support-agent."));
        Assert.That(second, Does.Contain("round 1: 100 %"), "the second run succeeds at once with what the first learned");
        Assert.That(second.TrimEnd(), Does.EndWith("Done."));
    }

    [Test]
    public async Task WithoutArgumentsTheSampleKeepsItsFileNextToTheApp()
    {
        var output = await SampleRun.RunAsync();
        var expected = Path.Combine(Path.GetDirectoryName(ChildProcess.BuiltProgram("samples", "AgentMemory.Samples.Console"))!, "agentmemory.db");
        Assert.That(output, Does.StartWith($"AgentMemory sample on SQLite at {expected}: memories persist across runs."));
        Assert.That(File.Exists(expected), Is.True);
        Assert.That(output.TrimEnd(), Does.EndWith("Done."));
    }
}
