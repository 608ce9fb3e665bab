using System.Text.Json;

namespace AgentMemory.Validation;

/// <summary>Checks metadata and turns it into its stored form: a compact, self-contained JSON object.</summary>
internal static class MetadataRules
{
    /// <summary>The deepest nesting accepted (PostgreSQL and System.Text.Json both handle it comfortably).</summary>
    public const int MaxDepth = 64;

    /// <summary>Validates metadata and returns an immutable copy; <see langword="null"/> or JSON null gives the empty object.</summary>
    public static JsonElement Normalize(JsonElement? metadata, int maxBytes, string field)
    {
        if (metadata is not { } element || element.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null)
        {
            return MemoryJson.EmptyObject;
        }

        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new ArgumentException($"{field} must be a JSON object, not {element.ValueKind}.", field);
        }

        Check(element, field, depth: 1);
        var bytes = System.Runtime.InteropServices.JsonMarshal.GetRawUtf8Value(element).Length;
        if (bytes > maxBytes)
        {
            throw new ArgumentException($"{field} must be at most {maxBytes} bytes as JSON; it is {bytes}.", field);
        }

        // A copy that no longer depends on the caller's document.
        return element.Clone();
    }

    private static void Check(JsonElement element, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"metadata must not be nested deeper than {MaxDepth} levels (at {path}).", "metadata");
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                HashSet<string>? seen = null;
                foreach (var property in element.EnumerateObject())
                {
                    var name = ReadString(property, path);
                    TextRules.CheckCharacters(name, $"{path} key", allowControl: true);
                    seen ??= new HashSet<string>(StringComparer.Ordinal);
                    if (!seen.Add(name))
                    {
                        throw new ArgumentException($"metadata must not repeat a key: '{name}' appears twice in {path}.", "metadata");
                    }

                    Check(property.Value, $"{path}.{name}", depth + 1);
                }

                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    Check(item, $"{path}[{index++}]", depth + 1);
                }

                break;
            case JsonValueKind.String:
                TextRules.CheckCharacters(ReadString(element, path), path, allowControl: true);
                break;
        }
    }

    private static string ReadString(JsonProperty property, string path)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException ex)
        {
            throw new ArgumentException($"metadata has a key in {path} that is not valid UTF-16.", "metadata", ex);
        }
    }

    private static string ReadString(JsonElement element, string path)
    {
        try
        {
            return element.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            throw new ArgumentException($"{path} is not valid UTF-16 text.", "metadata", ex);
        }
    }
}
