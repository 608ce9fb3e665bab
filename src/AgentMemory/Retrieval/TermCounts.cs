namespace AgentMemory.Retrieval;

/// <summary>The distinct terms of a document with their counts, and the document's length in terms.</summary>
internal sealed class TermCounts
{
    public static readonly TermCounts Empty = new([], 0);

    private TermCounts(KeyValuePair<string, int>[] terms, int length)
    {
        Terms = terms;
        Length = length;
    }

    public KeyValuePair<string, int>[] Terms { get; }

    public int Length { get; }

    /// <summary>The terms of a memory: its content and its tags.</summary>
    public static TermCounts ForMemory(string content, IReadOnlyList<string> tags)
    {
        var counts = new Dictionary<string, int>(Math.Min(256, (content.Length / 6) + tags.Count + 1), StringComparer.Ordinal);
        var length = Add(counts, content);
        foreach (var tag in tags)
        {
            length += Add(counts, tag);
        }

        return length == 0 ? Empty : new TermCounts([.. counts], length);
    }

    /// <summary>The weighted terms of a query: the task's terms at weight 1 and the context's at <paramref name="contextWeight"/>.</summary>
    public static KeyValuePair<string, float>[] ForQuery(string task, string? context, double contextWeight)
    {
        var weights = new Dictionary<string, float>(StringComparer.Ordinal);
        foreach (var term in Tokenizer.Terms(task))
        {
            weights[term] = weights.GetValueOrDefault(term) + 1f;
        }

        if (!string.IsNullOrEmpty(context) && contextWeight > 0)
        {
            foreach (var term in Tokenizer.Terms(context))
            {
                weights[term] = weights.GetValueOrDefault(term) + (float)contextWeight;
            }
        }

        return [.. weights];
    }

    private static int Add(Dictionary<string, int> counts, string text)
    {
        var state = new Counting(counts);
        Tokenizer.ForEachWord(text.AsSpan(), ref state, static (word, ref s) =>
        {
            if (Tokenizer.Term(word) is { } term)
            {
                System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(s.Counts, term, out _)++;
                s.Length++;
            }
        });
        return state.Length;
    }

    private struct Counting(Dictionary<string, int> counts)
    {
        public readonly Dictionary<string, int> Counts = counts;
        public int Length;
    }
}
