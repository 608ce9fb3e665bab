using System.Text.Encodings.Web;
using System.Text.Json;

namespace AgentMemory;

/// <summary>JSON helpers for metadata: one compact, lossless text form and immutable elements.</summary>
internal static class MemoryJson
{
    /// <summary>The empty JSON object.</summary>
    public static readonly JsonElement EmptyObject = Parse("{}");

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Keep every character as it is (no \uXXXX escaping of non-ASCII), so text round-trips unchanged.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    /// <summary>Parses JSON text into an element that does not depend on a live document.</summary>
    public static JsonElement Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    /// <summary>Writes an element as compact JSON text.</summary>
    public static string Serialize(JsonElement element)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            element.WriteTo(writer);
        }

        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>
    /// The existing object with the incoming object's properties that it lacks added (existing values win), so that
    /// remembering a memory again never loses metadata of either.
    /// </summary>
    public static JsonElement MergeMissing(JsonElement existing, JsonElement incoming)
    {
        if (incoming.ValueKind != JsonValueKind.Object || !incoming.EnumerateObject().Any())
        {
            return existing;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in existing.EnumerateObject())
        {
            names.Add(property.Name);
        }

        var added = false;
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var property in existing.EnumerateObject())
            {
                property.WriteTo(writer);
            }

            foreach (var property in incoming.EnumerateObject())
            {
                if (names.Add(property.Name))
                {
                    property.WriteTo(writer);
                    added = true;
                }
            }

            writer.WriteEndObject();
        }

        return added ? Parse(System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan)) : existing;
    }
}
