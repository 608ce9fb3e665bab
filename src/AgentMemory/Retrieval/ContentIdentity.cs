using System.IO.Hashing;
using System.Runtime.InteropServices;

namespace AgentMemory.Retrieval;

/// <summary>
/// When two contents are the same memory: equal once lower-cased with white space collapsed. The index keys memories
/// by a 64-bit hash of that form (no second copy of each content is kept) and confirms a hash match by comparing the
/// contents themselves, so a collision can at worst miss a duplicate, never merge two different memories.
/// </summary>
internal static class ContentIdentity
{
    private const int StackLimit = 512;

    /// <summary>The hash of the content's identity form.</summary>
    public static ulong Hash(string content)
    {
        var buffer = content.Length <= StackLimit ? stackalloc char[content.Length] : new char[content.Length];
        var length = Normalize(content, buffer);
        return XxHash3.HashToUInt64(MemoryMarshal.AsBytes(buffer[..length]));
    }

    /// <summary>Whether the two contents have the same identity form.</summary>
    public static bool Same(string first, string second)
    {
        if (ReferenceEquals(first, second))
        {
            return true;
        }

        var a = first.Length <= StackLimit ? stackalloc char[first.Length] : new char[first.Length];
        var b = second.Length <= StackLimit ? stackalloc char[second.Length] : new char[second.Length];
        return a[..Normalize(first, a)].SequenceEqual(b[..Normalize(second, b)]);
    }

    /// <summary>The identity form as a string (for code that keys its own dictionaries by it).</summary>
    public static string Normalize(string content)
    {
        var buffer = content.Length <= StackLimit ? stackalloc char[content.Length] : new char[content.Length];
        var normalized = buffer[..Normalize(content, buffer)];
        return normalized.SequenceEqual(content) ? content : new string(normalized);
    }

    /// <summary>Writes the identity form of <paramref name="content"/> into <paramref name="buffer"/> (as long as the content) and returns its length.</summary>
    private static int Normalize(ReadOnlySpan<char> content, Span<char> buffer)
    {
        var length = 0;
        var pendingSpace = false;
        foreach (var c in content)
        {
            if (char.IsWhiteSpace(c))
            {
                pendingSpace = length > 0;
                continue;
            }

            if (pendingSpace)
            {
                buffer[length++] = ' ';
                pendingSpace = false;
            }

            buffer[length++] = char.ToLowerInvariant(c);
        }

        return length;
    }
}
