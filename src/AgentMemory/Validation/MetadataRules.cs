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

        var expanded = 0L;
        Check(element, field, depth: 1, ref expanded);

        // Measured as stored: a store writes a number with an exponent out in full (PostgreSQL's jsonb does), so
        // "1e300" counts as the 301 digits it reloads as.
        var bytes = JsonMarshal.GetRawUtf8Value(element).Length + expanded;
        if (bytes > maxBytes)
        {
            throw new ArgumentException($"{field} must be at most {maxBytes} bytes as JSON, numbers written out in full; it is {bytes}.", field);
        }

        // A copy that no longer depends on the caller's document.
        return element.Clone();
    }

    /// <summary>
    /// Checks one value. Text the JSON holds without escapes is valid UTF-8 with no NUL and no lone surrogate by
    /// construction (a parsed or written document has been through the reader or the writer), so only escaped names
    /// and strings are decoded and checked; paths for messages are built only for nested values and errors.
    /// </summary>
    private static void Check(JsonElement element, string path, int depth, ref long expanded)
    {
        if (depth > MaxDepth)
        {
            throw new ArgumentException($"metadata must not be nested deeper than {MaxDepth} levels (at {path}).", "metadata");
        }

        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                CheckObject(element, path, depth, ref expanded);
                break;
            case JsonValueKind.Array:
                var index = 0;
                foreach (var item in element.EnumerateArray())
                {
                    if (NeedsCheck(item))
                    {
                        Check(item, $"{path}[{index}]", depth + 1, ref expanded);
                    }

                    index++;
                }

                break;
            case JsonValueKind.String when IsEscaped(element):
                TextRules.CheckCharacters(ReadString(element, path), path, allowControl: true);
                break;
            case JsonValueKind.Number:
                expanded += CheckNumber(element, path);
                break;
        }
    }

    /// <summary>
    /// The largest decimal exponent a number may be written with: what a double holds, and well inside what every
    /// store keeps (PostgreSQL's numeric refuses 1e200000 and 1e-20000, so such a memory could never be saved).
    /// </summary>
    public const int MaxExponent = 308;

    /// <summary>
    /// Refuses a number written with an exponent beyond <see cref="MaxExponent"/> or that is not a finite double;
    /// returns how many bytes longer it is written out in full than as given.
    /// </summary>
    private static long CheckNumber(JsonElement element, string path)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        var e = raw.IndexOfAny((byte)'e', (byte)'E');
        if (e < 0)
        {
            return 0;
        }

        var exponentText = raw[(e + 1)..];
        var negative = exponentText.Length > 0 && exponentText[0] == (byte)'-';
        var digits = exponentText.TrimStart("+-"u8).TrimStart((byte)'0');
        var exponent = 0;
        foreach (var digit in digits)
        {
            exponent = (exponent * 10) + (digit - '0');
            if (exponent > MaxExponent)
            {
                break;
            }
        }

        if (exponent > MaxExponent || !element.TryGetDouble(out var value) || !double.IsFinite(value))
        {
            throw new ArgumentException(
                $"{path} holds the number {Shorten(raw)}: numbers must be finite, with an exponent from -{MaxExponent} to {MaxExponent}, so that every store can keep them.",
                "metadata");
        }

        // Written out in full: the mantissa's digits and up to one digit (or leading zero) per power of ten.
        return Math.Max(0, e + exponent - raw.Length + (negative ? 2 : 1));
    }

    private static string Shorten(ReadOnlySpan<byte> raw) =>
        raw.Length <= 40 ? System.Text.Encoding.UTF8.GetString(raw) : System.Text.Encoding.UTF8.GetString(raw[..37]) + "...";

    private static void CheckObject(JsonElement element, string path, int depth, ref long expanded)
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
                Check(value, $"{path}.{property.Name}", depth + 1, ref expanded);
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

    /// <summary>
    /// Whether a value holds anything to check: nested values, a string with escapes (see <see cref="Check"/>), or a
    /// number written with an exponent.
    /// </summary>
    private static bool NeedsCheck(JsonElement value) =>
        value.ValueKind is JsonValueKind.Object or JsonValueKind.Array || IsEscaped(value)
        || (value.ValueKind == JsonValueKind.Number && JsonMarshal.GetRawUtf8Value(value).IndexOfAny((byte)'e', (byte)'E') >= 0);

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
