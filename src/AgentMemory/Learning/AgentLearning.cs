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
    private static AgentLearning From(AgentState? state)
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

    /// <summary>The learning of a stored agent: its state's settings (older versions kept it there) plus its counters.</summary>
    public static AgentLearning FromStored(AgentState? state)
    {
        var learning = From(state);
        if (state is null || state.Counters.Count == 0)
        {
            return learning;
        }

        foreach (var (key, value) in state.Counters)
        {
            if (!double.IsFinite(value))
            {
                continue;
            }

            switch (key)
            {
                case SemanticHelped: learning._semantic.Helped += value; break;
                case SemanticMisled: learning._semantic.Misled += value; break;
                case LexicalHelped: learning._lexical.Helped += value; break;
                case LexicalMisled: learning._lexical.Misled += value; break;
                default:
                    if (key.StartsWith(MisledPrefix, StringComparison.Ordinal) && value > 0)
                    {
                        var word = key[MisledPrefix.Length..];
                        learning._misled[word] = learning._misled.GetValueOrDefault(word) + (float)value;
                    }

                    break;
            }
        }

        learning.Trim();
        return learning;
    }

    /// <summary>The counter of a word that misled recall.</summary>
    public const string MisledPrefix = "misled:";

    private const string SemanticHelped = "semantic.helped";
    private const string SemanticMisled = "semantic.misled";
    private const string LexicalHelped = "lexical.helped";
    private const string LexicalMisled = "lexical.misled";

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
    public void Misled(IEnumerable<string> words, Dictionary<string, double>? deltas = null)
    {
        foreach (var word in words)
        {
            _misled[word] = _misled.GetValueOrDefault(word) + 1;
            if (deltas is not null)
            {
                deltas[MisledPrefix + word] = deltas.GetValueOrDefault(MisledPrefix + word) + 1;
            }
        }

        Trim();
    }

    /// <summary>Keeps the <see cref="Capacity"/> words that misled most (the store keeps every counter; this is what recall uses).</summary>
    private void Trim()
    {
        if (_misled.Count > Capacity)
        {
            foreach (var (word, _) in _misled.OrderBy(static p => p.Value).ThenBy(static p => p.Key, StringComparer.Ordinal).Take(_misled.Count - Capacity).ToList())
            {
                _misled.Remove(word);
            }
        }
    }

    /// <summary>Credits both relevance signals with a used memory's outcome (reward in [-1, 1]), each by how strongly it put the memory forward (in [0, 1]).</summary>
    public void CreditSignals(double lexical, double semantic, double reward, Dictionary<string, double>? deltas = null)
    {
        var (lexicalBefore, semanticBefore) = (_lexical, _semantic);
        _lexical = Credit(_lexical, lexical, reward);
        _semantic = Credit(_semantic, semantic, reward);
        if (deltas is not null)
        {
            Add(deltas, LexicalHelped, _lexical.Helped - lexicalBefore.Helped);
            Add(deltas, LexicalMisled, _lexical.Misled - lexicalBefore.Misled);
            Add(deltas, SemanticHelped, _semantic.Helped - semanticBefore.Helped);
            Add(deltas, SemanticMisled, _semantic.Misled - semanticBefore.Misled);
        }
    }

    private static void Add(Dictionary<string, double> deltas, string key, double delta)
    {
        if (delta != 0)
        {
            deltas[key] = deltas.GetValueOrDefault(key) + delta;
        }
    }

    /// <summary>The settings without what older versions kept of the learning there.</summary>
    public static JsonElement WithoutLearning(JsonElement settings)
    {
        if (settings.ValueKind != JsonValueKind.Object || !settings.TryGetProperty(SettingsKey, out _))
        {
            return settings;
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            foreach (var property in settings.EnumerateObject())
            {
                if (property.Name != SettingsKey)
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }

    private static (double Helped, double Misled) Credit((double Helped, double Misled) signal, double strength, double reward) =>
        reward >= 0 ? (signal.Helped + (strength * reward), signal.Misled) : (signal.Helped, signal.Misled - (strength * reward));


    private static double Reliability((double Helped, double Misled) signal) => (signal.Helped + 1) / (signal.Misled + 1);

    private static (double, double) ReadPair(JsonElement saved, string name) =>
        saved.TryGetProperty(name, out var pair) && pair.ValueKind == JsonValueKind.Array && pair.GetArrayLength() == 2
        && pair[0].TryGetDouble(out var helped) && pair[1].TryGetDouble(out var misled)
        && double.IsFinite(helped) && double.IsFinite(misled) && helped >= 0 && misled >= 0
            ? (helped, misled)
            : (0, 0);

}
