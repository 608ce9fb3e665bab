namespace AgentMemory.Samples.ConsoleApp;

/// <summary>The sample's command line: <c>--postgres "&lt;connection string&gt;"</c>, or the AGENTMEMORY_POSTGRES variable.</summary>
internal static class SampleArguments
{
    public static string? PostgresConnectionString(string[] args)
    {
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == "--postgres")
            {
                return args[i + 1];
            }
        }

        return Environment.GetEnvironmentVariable("AGENTMEMORY_POSTGRES") is { Length: > 0 } fromEnvironment ? fromEnvironment : null;
    }
}
