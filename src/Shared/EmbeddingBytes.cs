using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace AgentMemory.Shared;

/// <summary>Embeddings as bytes in a store (PostgreSQL <c>bytea</c>, SQLite BLOB): little-endian float32 values, whatever the machine's byte order. Shared source, compiled into each store package.</summary>
internal static class EmbeddingBytes
{
    public static byte[] Encode(ReadOnlySpan<float> vector)
    {
        var bytes = new byte[vector.Length * sizeof(float)];
        Encode(vector, bytes);
        return bytes;
    }

    /// <summary>Writes the vector's bytes into <paramref name="bytes"/> (at least 4 bytes per value).</summary>
    public static void Encode(ReadOnlySpan<float> vector, Span<byte> bytes)
    {
        if (BitConverter.IsLittleEndian)
        {
            MemoryMarshal.AsBytes(vector).CopyTo(bytes);
        }
        else
        {
            for (var i = 0; i < vector.Length; i++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(bytes[(i * sizeof(float))..], vector[i]);
            }
        }
    }

    public static float[] Decode(ReadOnlySpan<byte> bytes)
    {
        var vector = new float[FloatCount(bytes)];
        Decode(bytes, vector);
        return vector;
    }

    /// <summary>How many values the bytes hold; throws when they are not a whole number of float32 values.</summary>
    public static int FloatCount(ReadOnlySpan<byte> bytes) =>
        bytes.Length % sizeof(float) == 0
            ? bytes.Length / sizeof(float)
            : throw new InvalidDataException($"An embedding of {bytes.Length} bytes is not a whole number of float32 values.");

    /// <summary>Reads the values into <paramref name="vector"/> (exactly <see cref="FloatCount"/> long).</summary>
    public static void Decode(ReadOnlySpan<byte> bytes, Span<float> vector)
    {
        if (BitConverter.IsLittleEndian)
        {
            bytes.CopyTo(MemoryMarshal.AsBytes(vector));
        }
        else
        {
            for (var i = 0; i < vector.Length; i++)
            {
                vector[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes[(i * sizeof(float))..]);
            }
        }
    }
}
