using Microsoft.Extensions.DependencyInjection;

namespace AgentMemory.CrashHost;

/// <summary>The store named on the command line: <c>postgres &lt;connection string&gt; &lt;schema&gt;</c> or <c>sqlite &lt;connection string&gt;</c>, then the mode.</summary>
internal static class StoreArguments
{
    public static bool TryParse(string[] args, out Action<IAgentMemoryBuilder> useStore, out string mode)
    {
        switch (args)
        {
            case ["postgres", var connectionString, var schema, var m]:
                useStore = memory => memory.UsePostgres(connectionString, o => o.Schema = schema);
                mode = m;
                return true;
            case ["sqlite", var connectionString, var m]:
                useStore = memory => memory.UseSqlite(connectionString);
                mode = m;
                return true;
            default:
                useStore = static _ => { };
                mode = string.Empty;
                return false;
        }
    }
}
