namespace AgentMemory.Retrieval;

/// <summary>
/// Splits text into terms: runs of Unicode letters and digits, case-folded, stopwords dropped, lightly stemmed; runs
/// of Chinese, Japanese and Korean script as overlapping character pairs.
/// The same tokenizer serves memories and queries, and the built-in embedding.
/// </summary>
internal static class Tokenizer
{
    /// <summary>
    /// Calls <paramref name="onWord"/> with each case-folded word (before stopword removal and stemming). Chinese,
    /// Japanese and Korean script has no spaces between words, so a run of it yields its overlapping character pairs
    /// (a lone character yields itself): a query that is part of a sentence then matches the pairs they share.
    /// </summary>
    public static void ForEachWord<TState>(ReadOnlySpan<char> text, ref TState state, WordAction<TState> onWord)
        where TState : allows ref struct
    {
        Span<char> buffer = stackalloc char[64];
        Span<char> pair = stackalloc char[2];
        var length = 0;
        var previousCjk = '\0';
        var cjkRun = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            var c = i < text.Length ? text[i] : ' ';
            if (IsCjk(c))
            {
                if (length > 0)
                {
                    onWord(buffer[..length], ref state);
                    length = 0;
                }

                if (cjkRun > 0)
                {
                    pair[0] = previousCjk;
                    pair[1] = c;
                    onWord(pair, ref state);
                }

                previousCjk = c;
                cjkRun++;
                continue;
            }

            if (cjkRun > 0)
            {
                if (cjkRun == 1)
                {
                    pair[0] = previousCjk;
                    onWord(pair[..1], ref state);
                }

                cjkRun = 0;
            }

            if (char.IsLetterOrDigit(c))
            {
                // Words longer than the buffer are cut; such strings are not words anyway.
                if (length < buffer.Length)
                {
                    buffer[length++] = char.ToLowerInvariant(c);
                }

                continue;
            }

            if (char.IsSurrogate(c) && i + 1 < text.Length && char.IsSurrogatePair(c, text[i + 1]))
            {
                // Letters outside the BMP (rare) are kept as part of the word.
                if (length + 2 <= buffer.Length)
                {
                    buffer[length++] = c;
                    buffer[length++] = text[i + 1];
                }

                i++;
                continue;
            }

            if (length > 0)
            {
                onWord(buffer[..length], ref state);
                length = 0;
            }
        }
    }

    /// <summary>Whether the character is of a script written without spaces: CJK ideographs, kana, hangul.</summary>
    public static bool IsCjk(char c) =>
        c is (>= '\u3040' and <= '\u30FF') or (>= '\u3400' and <= '\u4DBF') or (>= '\u4E00' and <= '\u9FFF')
            or (>= '\uAC00' and <= '\uD7AF') or (>= '\uF900' and <= '\uFAFF');

    /// <summary>A callback for <see cref="ForEachWord"/>.</summary>
    public delegate void WordAction<TState>(scoped ReadOnlySpan<char> word, ref TState state)
        where TState : allows ref struct;

    /// <summary>The terms of a text in order (stopwords removed, stemmed).</summary>
    public static List<string> Terms(string text)
    {
        var terms = new List<string>();
        ForEachWord(text.AsSpan(), ref terms, static (word, ref list) =>
        {
            if (Term(word) is { } term)
            {
                list.Add(term);
            }
        });
        return terms;
    }

    /// <summary>The term for one case-folded word, or <see langword="null"/> for a stopword or a lone letter.</summary>
    public static string? Term(ReadOnlySpan<char> word)
    {
        if (word.Length == 1 && !char.IsDigit(word[0]) && !IsCjk(word[0]))
        {
            return null;
        }

        if (TermLookup.TryGetValue(word, out var cached))
        {
            return cached;
        }

        var text = word.ToString();
        var term = Stopwords.Contains(text) ? null : Stemmer.Stem(text);

        // Words repeat across memories: one string per word saves the allocation on every later use and the memory of
        // every copy. Words with digits (ids, numbers) rarely repeat and are not kept; the cache stops growing at its limit.
        if (word.ContainsAnyInRange('0', '9') is false && Volatile.Read(ref _cached) < CacheLimit && KnownTerms.TryAdd(text, term))
        {
            Interlocked.Increment(ref _cached);
        }

        return term;
    }

    /// <summary>Words whose term is kept (a word's term never changes, so the cache needs no invalidation).</summary>
    private const int CacheLimit = 100_000;

    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?> KnownTerms = new(StringComparer.Ordinal);
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, string?>.AlternateLookup<ReadOnlySpan<char>> TermLookup = KnownTerms.GetAlternateLookup<ReadOnlySpan<char>>();
    private static int _cached;
}
