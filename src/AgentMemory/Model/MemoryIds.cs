using System.Buffers.Binary;
using System.Security.Cryptography;

namespace AgentMemory;

/// <summary>
/// New memory ids: version 7 GUIDs (RFC 9562: 48-bit Unix milliseconds, then random bits), as
/// <see cref="Guid.CreateVersion7(DateTimeOffset)"/> makes them, but with the random bits taken from a per-thread
/// buffer filled by the cryptographic generator 256 ids at a time instead of one system call per id, and ordered
/// within a millisecond on each thread: the 12 bits after the timestamp count up from a random start (RFC 9562's
/// "fixed bit-length dedicated counter"), so the memories one call remembers sort in the order they were formed, which
/// recall's context of neighbouring memories relies on. A clock that goes back starts a new count.
/// </summary>
internal static class MemoryIds
{
    private const int BufferIds = 256;
    private const int RandomBytesPerId = 16;

    [ThreadStatic]
    private static byte[]? t_random;

    [ThreadStatic]
    private static int t_next;

    [ThreadStatic]
    private static long t_lastMilliseconds;

    [ThreadStatic]
    private static int t_counter;

    /// <summary>A new version 7 id for <paramref name="time"/> (at or after the Unix epoch).</summary>
    public static Guid NewVersion7(DateTimeOffset time)
    {
        var random = t_random ??= new byte[BufferIds * RandomBytesPerId];
        if (t_next == 0)
        {
            RandomNumberGenerator.Fill(random);
        }

        var bytes = random.AsSpan(t_next * RandomBytesPerId, RandomBytesPerId);
        t_next = (t_next + 1) % BufferIds;

        // Big-endian layout of RFC 9562: unix_ts_ms (48) | ver (4) | rand_a (12) | var (2) | rand_b (62).
        Span<byte> value = stackalloc byte[16];
        bytes.CopyTo(value);
        var milliseconds = time.ToUnixTimeMilliseconds();
        if (milliseconds == t_lastMilliseconds && t_counter < 0xFFF)
        {
            t_counter++;
        }
        else
        {
            // A random start in the lower half leaves room to count 2,048 ids or more in this millisecond.
            t_counter = ((bytes[6] << 8) | bytes[7]) & 0x7FF;
            t_lastMilliseconds = milliseconds;
        }

        BinaryPrimitives.WriteUInt16BigEndian(value, (ushort)(milliseconds >> 32));
        BinaryPrimitives.WriteUInt32BigEndian(value[2..], (uint)milliseconds);
        value[6] = (byte)(0x70 | (t_counter >> 8));
        value[7] = (byte)t_counter;
        value[8] = (byte)((value[8] & 0x3F) | 0x80);
        return new Guid(value, bigEndian: true);
    }
}
