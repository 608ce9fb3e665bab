using System.Buffers;

namespace AgentMemory.Retrieval;

/// <summary>
/// The distinct terms of a document with their counts, and the document's length in terms. A value over an array
/// rented from the shared pool: whoever consumes the terms last (the index, once it has added them to its postings)
/// calls <see cref="Release"/>, so counting a memory's terms on every remember and load allocates nothing that lasts.
/// </summary>
internal readonly struct TermCounts
{
    public static readonly TermCounts Empty = new([], 0, 0);

    /// <summary>Distinct terms above which a thread's counting dictionary is dropped rather than kept for reuse.</summary>
    private const int ReusedCountsLimit = 1024;

    [ThreadStatic]
    private static Dictionary<string, int>? t_counts;

    private readonly KeyValuePair<string, int>[]? _terms;
    private readonly int _count;

    private TermCounts(KeyValuePair<string, int>[] terms, int count, int length)
    {
        _terms = terms;
        _count = count;
        Length = length;
    }

    /// <summary>The terms (empty for <see cref="Empty"/> and <see langword="default"/>); not to be read after <see cref="Release"/>.</summary>
    public ReadOnlySpan<KeyValuePair<string, int>> Terms => _terms.AsSpan(0, _count);

    public int Length { get; }

    /// <summary>Gives the terms' array back to the pool. Called once, by the last reader of these terms (or never: then the collector takes it).</summary>
    public void Release()
    {
        if (_terms is { Length: > 0 } terms)
        {
            // Cleared first: a pooled array must not keep the words alive.
            Array.Clear(terms, 0, _count);
            ArrayPool<KeyValuePair<string, int>>.Shared.Return(terms);
        }
    }

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

            if (length == 0)
            {
                return Empty;
            }

            var terms = ArrayPool<KeyValuePair<string, int>>.Shared.Rent(counts.Count);
            ((ICollection<KeyValuePair<string, int>>)counts).CopyTo(terms, 0);
            return new TermCounts(terms, counts.Count, length);
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
