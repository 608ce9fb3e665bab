using System.Text;
using System.Text.Json;

namespace AgentMemory.Tests.TestSupport;

/// <summary>
/// Seeded generator of hostile inputs for the public API: NUL, lone surrogates, control and bidirectional characters,
/// SQL in every string, wildcards, huge text, deep JSON, out-of-range numbers and enums, numbers no store can keep,
/// content with nothing visible, Chinese, Japanese and Korean text, empty GUIDs, extreme dates.
/// </summary>
public sealed class NastyInputs(int seed)
{
    /// <summary>Awkward but storable: SQL, wildcards, quotes, right-to-left and format characters, emoji, combining marks.</summary>
    private static readonly string[] Tricky =
    [
        "plain words", "'); DROP TABLE memories; --", "\" OR 1=1 --", "%", "_", "%_\\", "\\", "'", "''", "\"", "$1", "@schema",
        "\u200f\u202e", "\u05e9\u05dc\u05d5\u05dd", "\ud83e\udd16", "e\u0301", "\u00e9", "\ufeff", "\u2028", "NaN", "Infinity",
        "null", "{}", "[]", "<script>", "\t", "</memory>", "\u9867\u5ba2\u306f\u96fb\u5b50\u30e1\u30fc\u30eb", "\u5ba2\u6237\u8981\u6c42\u9000\u6b3e",
        "\ud55c\uad6d\uc5b4", "\u200b",
    ];

    /// <summary>What no text field can keep (NUL, lone surrogates) or what names and tags refuse (control characters).</summary>
    private static readonly string[] Hostile = ["\0", "a\0b", "\ud800", "x\udc00y", "\u0001\u0002", "\r\n", "\u007f", "   "];

    private readonly Random _random = new(seed);
    private bool _hostile;

    public string Text(int maxParts = 4)
    {
        var builder = new StringBuilder();
        var parts = _random.Next(1, maxParts + 1);
        for (var i = 0; i < parts; i++)
        {
            builder.Append(_hostile && _random.Next(3) == 0 ? Hostile[_random.Next(Hostile.Length)] : Tricky[_random.Next(Tricky.Length)]);
            if (_random.Next(3) == 0)
            {
                builder.Append(' ').Append(_random.Next(1000));
            }
        }

        return builder.ToString();
    }

    public string AgentId()
    {
        _hostile = _random.Next(5) == 0;
        return !_hostile ? "fuzz-" + Text(2) : _random.Next(4) switch
        {
            0 => new string('a', _random.Next(150, 260)),
            1 => string.Empty,
            _ => Text(2),
        };
    }

    public string Content() => !_hostile ? Text(6) + " " + _random.Next() : _random.Next(10) switch
    {
        0 => new string('x', 100 * 1024),
        1 => new string('z', 10 * 1024 * 1024),
        2 => "  \t ",
        3 => "\u200b\u200b\u2060",
        4 => "\ufeff\u200e\u202e ",
        _ => Text(6),
    };

    public IEnumerable<string>? Tags() => _random.Next(6) switch
    {
        0 => null,
        1 when _hostile => Enumerable.Range(0, _random.Next(60, 80)).Select(i => $"t{i}").ToList(),
        _ => Enumerable.Range(0, _random.Next(0, 4)).Select(_ => Text(2)).ToList(),
    };

    public JsonElement? Metadata()
    {
        switch (_hostile ? _random.Next(10) : _random.Next(5, 10))
        {
            case 0:
                return null;
            case 1:
                return Parse(new string('[', 200) + new string(']', 200), wrap: true);
            case 2:
                return Parse("[1,2,3]", wrap: false);
            case 3:
                return Parse("""{"a":1,"a":2}""", wrap: false);
            case 4:
                return Parse("""{"escaped lone surrogate":"\ud800","nul":"\u0000"}""", wrap: false);
            case 5:
                // Numbers at the edges: beyond what any store keeps when hostile, at the limits otherwise.
                string[] edges = _hostile
                    ? ["1e200000", "1e-20000", "-1e309", "1e130000", "2E+308"]
                    : ["1e308", "-1.7976931348623157E+308", "1e-308", "4.9E-324", "12345678901234567890123"];
                return Parse($$"""{"amount":{{edges[_random.Next(edges.Length)]}}}""", wrap: false);
            default:
                try
                {
                    using var stream = new MemoryStream();
                    using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                    {
                        WriteObject(writer, depth: _random.Next(1, 5));
                    }

                    return Parse(Encoding.UTF8.GetString(stream.ToArray()), wrap: false);
                }
                catch (ArgumentException)
                {
                    // The writer itself refuses lone surrogates in JSON text.
                    return null;
                }
        }
    }

    public double Valence() => (_hostile ? _random.Next(8) : _random.Next(3, 8)) switch
    {
        0 => double.NaN,
        1 => double.PositiveInfinity,
        2 => 1.0000001,
        3 => -1,
        _ => Math.Round((_random.NextDouble() * 2) - 1, 6),
    };

    public Importance Importance() => _hostile && _random.Next(4) == 0 ? (Importance)_random.Next(4, 100) : (Importance)_random.Next(4);

    public MemoryType Type() => _hostile && _random.Next(4) == 0 ? (MemoryType)(-1) : (MemoryType)_random.Next(4);

    public Guid? Id() => _random.Next(6) switch
    {
        0 when _hostile => Guid.Empty,
        1 => Guid.NewGuid(),
        _ => null,
    };

    public DateTimeOffset? Date() => _random.Next(8) switch
    {
        0 => DateTimeOffset.MinValue,
        1 => DateTimeOffset.MaxValue,
        2 => new DateTimeOffset(1, 1, 1, 0, 0, 1, TimeSpan.Zero),
        3 => new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.FromHours(14)),
        4 => new DateTimeOffset(1900, 2, 28, 12, 0, 0, TimeSpan.FromHours(-5)).AddTicks(7),
        _ => null,
    };

    public MemoryDraft Draft() => new(Content())
    {
        Type = Type(),
        Importance = Importance(),
        Valence = Valence(),
        Tags = Tags(),
        Metadata = Metadata(),
        CreatedAt = Date(),
        ExpiresAt = _random.Next(4) == 0 ? Date() : null,
        Id = Id(),
    };

    private void WriteObject(Utf8JsonWriter writer, int depth)
    {
        writer.WriteStartObject();
        var count = _random.Next(0, 4);
        for (var i = 0; i < count; i++)
        {
            writer.WritePropertyName(Text(2) + i);
            switch (depth <= 1 ? _random.Next(5) : _random.Next(7))
            {
                case 0: writer.WriteStringValue(Text(3)); break;
                case 1: writer.WriteNumberValue(_random.Next(2) == 0 ? _random.NextInt64() : Math.Round(_random.NextDouble() * 1e6, 3)); break;
                case 2: writer.WriteBooleanValue(_random.Next(2) == 0); break;
                case 3: writer.WriteNullValue(); break;
                case 4: writer.WriteRawValue("12345678901234567890.5", skipInputValidation: true); break;
                case 5: WriteObject(writer, depth - 1); break;
                default:
                    writer.WriteStartArray();
                    writer.WriteStringValue(Text(1));
                    WriteObject(writer, depth - 1);
                    writer.WriteEndArray();
                    break;
            }
        }

        writer.WriteEndObject();
    }

    private static JsonElement? Parse(string json, bool wrap)
    {
        try
        {
            using var document = JsonDocument.Parse(wrap ? "{\"deep\":" + json + "}" : json, new JsonDocumentOptions { MaxDepth = 1000 });
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Text that is not JSON (a lone surrogate escaped badly, say) cannot even be handed to the API.
            return null;
        }
    }
}
