namespace AgentMemory;

/// <summary>FNV-1a, 64-bit: a stable hash (unlike <see cref="string.GetHashCode()"/>, the same in every process).</summary>
internal static class Fnv
{
    private const ulong Prime = 1099511628211UL;
    private const ulong Offset = 14695981039346656037UL;

    public static ulong Hash(ReadOnlySpan<char> text, ulong seed)
    {
        var hash = Offset ^ seed;
        foreach (var c in text)
        {
            hash ^= (byte)c;
            hash *= Prime;
            hash ^= (byte)(c >> 8);
            hash *= Prime;
        }

        // Final avalanche so that the low bits (the dimension) and the top bit (the sign) are both well mixed.
        hash ^= hash >> 33;
        hash *= 0xff51afd7ed558ccdUL;
        hash ^= hash >> 33;
        return hash;
    }
}
