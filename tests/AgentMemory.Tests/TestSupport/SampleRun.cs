using NUnit.Framework;

namespace AgentMemory.Tests.TestSupport;

/// <summary>Runs the sample (built with the test project that references it) as the README tells a newcomer to, and returns what it printed.</summary>
public static class SampleRun
{
    public static async Task<string> RunAsync(params string[] arguments)
    {
        var dll = ChildProcess.BuiltProgram("samples", "AgentMemory.Samples.Console");
        var result = await ChildProcess.RunAsync("dotnet", [dll, .. arguments], environment: new Dictionary<string, string?> { ["AGENTMEMORY_POSTGRES"] = null });
        Assert.That(result.ExitCode, Is.Zero, result.ToString);
        return result.Output;
    }

    /// <summary>How many memories the run said are durable at its end ("4. N memories …").</summary>
    public static int DurableMemories(string output) =>
        int.Parse(System.Text.RegularExpressions.Regex.Match(output, @"4\. (\d+) memories").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
}
