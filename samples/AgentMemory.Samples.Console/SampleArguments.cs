using Microsoft.Extensions.DependencyInjection;

namespace AgentMemory.Samples.ConsoleApp;

/// <summary>
/// The sample's store, from its command line: a SQLite file next to the app by default (<c>--sqlite &lt;path&gt;</c>
/// names another), <c>--postgres "&lt;connection string&gt;"</c> or the AGENTMEMORY_POSTGRES variable for PostgreSQL,
/// <c>--in-memory</c> for memories that last as long as the process.
/// </summary>
internal sealed record SampleArguments(string Description, bool Durable, Action<IAgentMemoryBuilder> UseStore)
{
    public static SampleArguments Parse(string[] args)
    {
        if (args.Contains("--in-memory"))
        {
            return new("the in-memory store (memories last as long as the process)", Durable: false, static _ => { });
        }

        if ((Value(args, "--postgres") ?? Environment.GetEnvironmentVariable("AGENTMEMORY_POSTGRES")) is { Length: > 0 } postgres)
        {
            return new("PostgreSQL: memories persist across runs", Durable: true, memory => memory.UsePostgres(postgres));
        }

        var path = Path.GetFullPath(Value(args, "--sqlite") ?? Path.Combine(AppContext.BaseDirectory, "agentmemory.db"));
        return new($"SQLite at {path}: memories persist across runs", Durable: true, memory => memory.UseSqliteFile(path));
    }

    private static string? Value(string[] args, string name)
    {
        for (var i = 0; i < args.Length - 1; i++)
        {
            if (args[i] == name)
            {
                return args[i + 1];
            }
        }

        return null;
    }
}
