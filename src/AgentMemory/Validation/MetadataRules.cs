using System.Runtime.InteropServices;
using System.Text.Json;

namespace AgentMemory.Validation;

/// <summary>Checks metadata and turns it into its stored form: a compact, self-contained JSON object.</summary>
internal static class MetadataRules
{
    /// <summary>The deepest nesting accepted (PostgreSQL and System.Text.Json both handle it comfortably).</summary>
    public const int MaxDepth = 64;

    /// <summary>Objects with at most this many keys are checked for repeated keys pairwise, without a set.</summary>
    private const int SmallObject = 8;

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
        var bytes = JsonMarshal.GetRawUtf8Value(element).Length;
        if (bytes > maxBytes)
        {
            throw new ArgumentException($"{field} must be at most {maxBytes} bytes as JSON; it is {bytes}.", field);
        }

        // A copy that no longer depends on the caller's document.
        return element.Clone();
    }

    /// <summary>
    /// Checks one value. Text the JSON holds without escapes is valid UTF-8 with no NUL and no lone surrogate by
    /// construction (a parsed or written document has been through the reader or the writer), so only escaped names
    /// and strings are decoded and checked; paths for messages are built only for nested values and errors.
    /// </summary>
    private static void Check(JsonElement element, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"metadata must not be nested deeper than {MaxDepth} levels (at {path}).", "metadata");
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                CheckObject(element, path, depth);
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (NeedsCheck(item))
                    {
                        Check(item, $"{path}[{index}]", depth + 1);
                    }

                    index++;
                }

                break;
            case JsonValueKind.String when IsEscaped(element):
                TextRules.CheckCharacters(ReadString(element, path), path, allowControl: true);
                break;
        }
    }

    private static void CheckObject(JsonElement element, string path, int depth)
    {
        // Duplicate keys (PostgreSQL's jsonb would keep only the last) are found on the raw names while no name is
        // escaped and the object is small; otherwise on the decoded names.
        var escapedNames = false;
        var count = 0;
        foreach (var property in element.EnumerateObject())
        {
            escapedNames |= JsonMarshal.GetRawUtf8PropertyName(property).Contains((byte)'\\');
            count++;
        }

        HashSet<string>? seen = escapedNames || count > SmallObject ? new HashSet<string>(StringComparer.Ordinal) : null;
        var position = 0;
        foreach (var property in element.EnumerateObject())
        {
            if (seen is not null)
            {
                var name = ReadString(property, path);
                TextRules.CheckCharacters(name, $"{path} key", allowControl: true);
                if (!seen.Add(name))
                {
                    throw RepeatedKey(name, path);
                }
            }
            else if (RepeatsEarlierName(element, property, position))
            {
                throw RepeatedKey(property.Name, path);
            }

            var value = property.Value;
            if (NeedsCheck(value))
            {
                Check(value, $"{path}.{property.Name}", depth + 1);
            }

            position++;
        }
    }

    private static bool RepeatsEarlierName(JsonElement element, JsonProperty property, int position)
    {
        var name = JsonMarshal.GetRawUtf8PropertyName(property);
        var earlier = 0;
        foreach (var other in element.EnumerateObject())
        {
            if (earlier++ == position)
            {
                return false;
            }

            if (JsonMarshal.GetRawUtf8PropertyName(other).SequenceEqual(name))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether a value holds anything to check: nested values, or a string with escapes (see <see cref="Check"/>).</summary>
    private static bool NeedsCheck(JsonElement value) =>
        value.ValueKind is JsonValueKind.Object or JsonValueKind.Array || IsEscaped(value);

    private static bool IsEscaped(JsonElement element) =>
        element.ValueKind == JsonValueKind.String && JsonMarshal.GetRawUtf8Value(element).Contains((byte)'\\');

    private static ArgumentException RepeatedKey(string name, string path) =>
        new($"metadata must not repeat a key: '{name}' appears twice in {path}.", "metadata");

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
