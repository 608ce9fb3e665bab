namespace AgentMemory.PostgreSql.Storage;

/// <summary>A byte buffer a row reader or writer keeps for every row of its result, grown when a row needs more.</summary>
internal static class ReusedBuffer
{
    /// <summary>The first <paramref name="length"/> bytes of <paramref name="buffer"/>, replaced by a larger one (at least double) when it is too small.</summary>
    public static Span<byte> Room(ref byte[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new byte[Math.Max(length, buffer.Length * 2)];
        }

        return buffer.AsSpan(0, length);
    }
}
