using System.Text;

namespace AgentMemory.PostgreSql.Schema;

/// <summary>Stable 64-bit advisory lock keys (FNV-1a of a purpose and a name), the same in every process.</summary>
internal static class AdvisoryLockKey
{
    public static long For(string purpose, string name)
    {
        const ulong Offset = 14695981039346656037UL;
        const ulong Prime = 1099511628211UL;
        var hash = Offset;
        foreach (var b in Encoding.UTF8.GetBytes($"agentmemory:{purpose}:{name}"))
        {
            hash = (hash ^ b) * Prime;
        }

        return unchecked((long)hash);
    }
}
