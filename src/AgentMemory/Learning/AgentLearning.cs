using System.Buffers;
using System.Text.Json;
using AgentMemory.Retrieval;
using AgentMemory.Storage;

namespace AgentMemory.Learning;

/// <summary>
/// What one agent learned from the outcomes of its tasks about how to find the memories that help it, beyond each
/// memory's own utility:
/// <list type="bullet">
/// <item>Its query words. When a memory the agent used failed it, the words the task shared with that memory pulled
/// in the wrong memory: each is counted as having misled, and weighs 1 / (1 + times misled) in later recalls. Words
/// that say what a task is about are rarely shared with a misleading memory and keep their weight; boilerplate shared
/// by unrelated tasks fades. A success does not restore a word: it shows which memory was right, not that every word
/// it shared was telling.</item>
/// <item>The mix of its relevance signals. Each signal (embedding similarity, word match) is credited with the outcome
/// of a used memory (helped or misled) in proportion to how strongly it put that memory forward (its score as a
/// fraction of the best any memory reached); each signal's share of the hybrid relevance is scaled by its odds of
/// having put forward a memory that helped, (helped + 1) / (misled + 1).</item>
/// <item>What it embeds. The built-in generator weighs each query word by its word weight here (times how rare the
/// word is among the agent's memories), so the embedding discounts the same words the word match does. Another
/// generator gets the text without the words that misled the agent twice or more: it knows nothing of them and would
/// otherwise keep pulling in the same wrong memories.</item>
/// </list>
/// Nothing is learned while the agent's learning is off. Saved with the agent's state.
/// </summary>
internal sealed class AgentLearning
{
    /// <summary>The key of what was learned in <see cref="AgentState.Settings"/>.</summary>
    public const string SettingsKey = "learning";

    /// <summary>Words remembered at most; beyond it, those that misled least are dropped.</summary>
    public const int Capacity = 4096;

    private readonly Dictionary<string, float> _misled = new(StringComparer.Ordinal);
    private (double Helped, double Misled) _semantic;
    private (double Helped, double Misled) _lexical;

    public int Words => _misled.Count;

    /// <summary>Nothing learned: every word weighs 1 and the signals mix as configured. Never changed.</summary>
    public static AgentLearning Neutral { get; } = new();

    /// <summary>What an agent's settings hold (nothing when absent; unreadable parts are skipped).</summary>
    public static AgentLearning From(AgentState? state)
    {
        var learning = new AgentLearning();
        if (state?.Settings is not { ValueKind: JsonValueKind.Object } settings
            || !settings.TryGetProperty(SettingsKey, out var saved) || saved.ValueKind != JsonValueKind.Object)
        {
            return learning;
        }

        if (saved.TryGetProperty("misled", out var words) && words.ValueKind == JsonValueKind.Object)
        {
            foreach (var word in words.EnumerateObject())
            {
                if (word.Value.ValueKind == JsonValueKind.Number && word.Value.TryGetSingle(out var count) && float.IsFinite(count) && count > 0)
                {
                    learning._misled[word.Name] = count;
                }
            }
        }

        learning._semantic = ReadPair(saved, "semantic");
        learning._lexical = ReadPair(saved, "lexical");
        return learning;
    }

    /// <summary>A query word's weight in (0, 1].</summary>
    public float TermWeight(string term) => _misled.TryGetValue(term, out var misled) ? 1f / (1f + misled) : 1f;

    /// <summary>The share of embedding similarity in hybrid relevance, from the configured share and what was learned.</summary>
    public double SemanticShare(double configured)
    {
        var semantic = configured * Reliability(_semantic);
        var lexical = (1 - configured) * Reliability(_lexical);
        return semantic + lexical > 0 ? semantic / (semantic + lexical) : configured;
    }

    /// <summary>Weight at or below which a word is left out of the text a recall embeds.</summary>
    public const float EmbeddingCutoff = 1f / 3f;

    /// <summary>
    /// The text to embed for a recall: the task without the words that misled this agent at least twice, so the
    /// embedding (which knows nothing of them) is not pulled toward the same wrong memories again; the task itself
    /// when no word did.
    /// </summary>
    public string WithoutMisleadingWords(string text)
    {
        if (_misled.Count == 0)
        {
            return text;
        }

        var kept = new System.Text.StringBuilder(text.Length);
        var removed = false;
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var inWord = i < text.Length && char.IsLetterOrDigit(text[i]);
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                var word = text.AsSpan(start, i - start);
                if (Tokenizer.Term(word.ToString().ToLowerInvariant()) is { } term && TermWeight(term) <= EmbeddingCutoff)
                {
                    removed = true;
                }
                else
                {
                    kept.Append(word);
                }

                start = -1;
            }

            if (!inWord && i < text.Length)
            {
                kept.Append(text[i]);
            }
        }

        return removed && kept.ToString().Any(char.IsLetterOrDigit) ? kept.ToString() : text;
    }

    /// <summary>Counts the words a task shared with a memory that misled the agent.</summary>
    public void Misled(IEnumerable<string> words)
    {
        foreach (var word in words)
        {
            _misled[word] = _misled.GetValueOrDefault(word) + 1;
        }

        if (_misled.Count > Capacity)
        {
            foreach (var (word, _) in _misled.OrderBy(static p => p.Value).ThenBy(static p => p.Key, StringComparer.Ordinal).Take(_misled.Count - Capacity).ToList())
            {
                _misled.Remove(word);
            }
        }
    }

    /// <summary>Credits both relevance signals with a used memory's outcome (reward in [-1, 1]), each by how strongly it put the memory forward (in [0, 1]).</summary>
    public void CreditSignals(double lexical, double semantic, double reward)
    {
        _lexical = Credit(_lexical, lexical, reward);
        _semantic = Credit(_semantic, semantic, reward);
    }

    private static (double Helped, double Misled) Credit((double Helped, double Misled) signal, double strength, double reward) =>
        reward >= 0 ? (signal.Helped + (strength * reward), signal.Misled) : (signal.Helped, signal.Misled - (strength * reward));

    /// <summary>The agent's settings with what was learned in place of what was saved.</summary>
    public JsonElement WriteTo(JsonElement settings)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (_misled.Count * 24));
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (settings.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in settings.EnumerateObject())
                {
                    if (property.Name != SettingsKey)
                    {
                        property.WriteTo(writer);
                    }
                }
            }

            writer.WriteStartObject(SettingsKey);
            writer.WriteStartObject("misled");
            foreach (var (word, count) in _misled.OrderBy(static p => p.Key, StringComparer.Ordinal))
            {
                writer.WriteNumber(word, Math.Round(count, 3));
            }

            writer.WriteEndObject();
            WritePair(writer, "semantic", _semantic);
            WritePair(writer, "lexical", _lexical);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static double Reliability((double Helped, double Misled) signal) => (signal.Helped + 1) / (signal.Misled + 1);

    private static (double, double) ReadPair(JsonElement saved, string name) =>
        saved.TryGetProperty(name, out var pair) && pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() == 2
        && pair[0].TryGetDouble(out var helped) && pair[1].TryGetDouble(out var misled)
        && double.IsFinite(helped) && double.IsFinite(misled) && helped >= 0 && misled >= 0
            ? (helped, misled)
            : (0, 0);

    private static void WritePair(Utf8JsonWriter writer, string name, (double Helped, double Misled) pair)
    {
        writer.WriteStartArray(name);
        writer.WriteNumberValue(Math.Round(pair.Helped, 4));
        writer.WriteNumberValue(Math.Round(pair.Misled, 4));
        writer.WriteEndArray();
    }
}
