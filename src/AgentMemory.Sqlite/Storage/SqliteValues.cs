using System.Buffers;
using System.Text;
using System.Text.Json;

namespace AgentMemory.Sqlite.Storage;

/// <summary>How values are kept in the file: GUIDs as 16 big-endian bytes, times as UTC ticks, tags as a JSON array.</summary>
internal static class SqliteValues
{
    public static byte[] Id(Guid id)
    {
        var bytes = new byte[16];
        id.TryWriteBytes(bytes, bigEndian: true, out _);
        return bytes;
    }

    public static Guid Id(ReadOnlySpan<byte> bytes) =>
        bytes.Length == 16 ? new Guid(bytes, bigEndian: true) : throw new InvalidDataException($"An id of {bytes.Length} bytes is not a GUID.");

    public static long Time(DateTimeOffset value) => value.UtcTicks;

    public static DateTimeOffset Time(long ticks) => new(ticks, TimeSpan.Zero);

    public static byte[]? Ids(IReadOnlyList<Guid> ids)
    {
        if (ids.Count == 0)
        {
            return null;
        }

        var bytes = new byte[ids.Count * 16];
        for (var i = 0; i < ids.Count; i++)
        {
            ids[i].TryWriteBytes(bytes.AsSpan(i * 16, 16), bigEndian: true, out _);
        }

        return bytes;
    }

    public static Guid[] Ids(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length % 16 != 0)
        {
            throw new InvalidDataException($"A list of ids of {bytes.Length} bytes is not a whole number of GUIDs.");
        }

        var ids = new Guid[bytes.Length / 16];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = new Guid(bytes.Slice(i * 16, 16), bigEndian: true);
        }

        return ids;
    }

    public static string Tags(IReadOnlyList<string> tags)
    {
        if (tags.Count == 0)
        {
            return "[]";
        }

        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var tag in tags)
            {
                writer.WriteStringValue(tag);
            }

            writer.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static string[] Tags(ReadOnlySpan<byte> json)
    {
        if (json is [(byte)'[', (byte)']'])
        {
            return [];
        }

        var tags = new List<string>();
        var reader = new Utf8JsonReader(json);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                tags.Add(reader.GetString()!);
            }
        }

        return [.. tags];
    }

    public static string Json(JsonElement value) => value.ValueKind == JsonValueKind.Undefined ? "{}" : value.GetRawText();
}
