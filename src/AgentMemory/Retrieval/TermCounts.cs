namespace AgentMemory.Retrieval;

/// <summary>
/// The distinct terms of a document with their counts, and the document's length in terms. A value (the index keeps
/// one per memory, so a memory's terms cost one array, not an object and an array).
/// </summary>
internal readonly struct TermCounts
{
    public static readonly TermCounts Empty = new([], 0);

    /// <summary>Distinct terms above which a thread's counting dictionary is dropped rather than kept for reuse.</summary>
    private const int ReusedCountsLimit = 1024;

    [ThreadStatic]
    private static Dictionary<string, int>? t_counts;

    private TermCounts(KeyValuePair<string, int>[] terms, int length)
    {
        Terms = terms;
        Length = length;
    }

    /// <summary>The terms; empty for <see cref="Empty"/>, null only for <see langword="default"/> (no document).</summary>
    public KeyValuePair<string, int>[] Terms { get; }

    public int Length { get; }

    /// <summary>The terms of a memory: its content and its tags.</summary>
    public static TermCounts ForMemory(string content, IReadOnlyList<string> tags)
    {
        // Counted in a dictionary the thread reuses (one per remember would be garbage of every write); only the
        // compact result is kept.
        var counts = t_counts ??= new Dictionary<string, int>(StringComparer.Ordinal);
        try
        {
            var length = Add(counts, content);
            for (var i = 0; i < tags.Count; i++)
            {
                length += Add(counts, tags[i]);
            }

            return length == 0 ? Empty : new TermCounts([.. counts], length);
        }
        finally
        {
            if (counts.Count > ReusedCountsLimit)
            {
                t_counts = null;
            }
            else
            {
                counts.Clear();
            }
        }
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
