using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace AgentMemory.Benchmarks.Retrieval;

/// <summary>One LoCoMo conversation as in ../shared/datasets/locomo (one JSON object per line).</summary>
internal sealed record LocomoConversation(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("turns")] List<LocomoTurn> Turns,
    [property: JsonPropertyName("questions")] List<LocomoQuestion> Questions)
{
    public static List<LocomoConversation> Read(string path) =>
        [.. File.ReadLines(path).Where(l => l.Length > 0).Select(l => JsonSerializer.Deserialize<LocomoConversation>(l)!)];
}

internal sealed record LocomoTurn(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("date")] string Date,
    [property: JsonPropertyName("speaker")] string Speaker,
    [property: JsonPropertyName("text")] string Text)
{
    /// <summary>The session date ("1:56 pm on 8 May, 2023") as UTC.</summary>
    public DateTimeOffset When =>
        DateTime.TryParseExact(Date, ["h:mm tt 'on' d MMMM, yyyy", "h:mm tt 'on' d MMM, yyyy"], CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed)
            ? new DateTimeOffset(parsed, TimeSpan.Zero)
            : throw new FormatException($"Unknown LoCoMo date '{Date}'.");
}

internal sealed record LocomoQuestion(
    [property: JsonPropertyName("q")] string Text,
    [property: JsonPropertyName("category")] int Category,
    [property: JsonPropertyName("evidence")] List<string> Evidence);
