using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using AgentMemory.Learning;
using AgentMemory.Retrieval;

namespace AgentMemory.Agents;

/// <summary>
/// The agent's word index for BM25: each term's postings and each slot's indexed length. It keeps no per-memory copy
/// of the terms (an array of term references per memory was the largest thing the collector traced for each one):
/// <see cref="Remove"/> counts them again from the memory's entry, which is why every change of a memory's content or
/// tags hands over its new terms.
/// </summary>
internal sealed class LexicalIndex(int capacity)
{
    private readonly Dictionary<string, Postings> _postings = new(StringComparer.Ordinal);

    /// <summary>Each slot's indexed length (words), next to each other for the BM25 loop (no object per posting).</summary>
    private int[] _lengths = new int[capacity];
    private long _totalLength;

    /// <summary>Posts the slot's terms and releases them: whoever hands terms over gives them up.</summary>
    public void Add(int slot, TermCounts terms)
    {
        _lengths[slot] = terms.Length;
        _totalLength += terms.Length;
        foreach (var (term, count) in terms.Terms)
        {
            // Postings are values: changed in place in the dictionary, never through a copy.
            CollectionsMarshal.GetValueRefOrAddDefault(_postings, term, out _).Add(slot, count);
        }

        terms.Release();
    }

    /// <summary>Takes the slot's terms out of the postings (before its entry changes or goes).</summary>
    public void Remove(int slot, MemoryEntry entry)
    {
        if (_lengths[slot] == 0)
        {
            return;
        }

        _totalLength -= _lengths[slot];
        var terms = TermsOf(entry);
        foreach (var (term, _) in terms.Terms)
        {
            ref var postings = ref CollectionsMarshal.GetValueRefOrNullRef(_postings, term);
            if (!Unsafe.IsNullRef(ref postings))
            {
                postings.Remove(slot);
                if (postings.Count == 0)
                {
                    _postings.Remove(term);
                }
            }
        }

        terms.Release();
        _lengths[slot] = 0;
    }

    /// <summary>The words a memory is indexed under.</summary>
    public static IReadOnlyList<string> Words(MemoryEntry entry)
    {
        var terms = TermsOf(entry);
        var words = new string[terms.Terms.Length];
        for (var i = 0; i < words.Length; i++)
        {
            words[i] = terms.Terms[i].Key;
        }

        terms.Release();
        return words;
    }

    public static TermCounts TermsOf(MemoryEntry entry) => TermCounts.ForMemory(entry.Content, entry.Tags);

    /// <summary>How many memories hold the term.</summary>
    public int DocumentFrequency(string term) => _postings.TryGetValue(term, out var postings) ? postings.Count : 0;

    /// <summary>
    /// Adds each slot's BM25 score for the query terms (weighted by what the agent learned of each word) into
    /// <paramref name="scores"/>; <paramref name="documents"/> is how many memories the agent has.
    /// </summary>
    public void Score(KeyValuePair<string, float>[] terms, double k1, double b, AgentLearning learned, int documents, float[] scores)
    {
        if (terms.Length == 0 || documents == 0 || _totalLength == 0)
        {
            return;
        }

        var inverseAverage = (float)(documents / (double)_totalLength);
        var k1f = (float)k1;
        var bf = (float)b;
        var lengths = _lengths;
        foreach (var (term, queryWeight) in terms)
        {
            if (!_postings.TryGetValue(term, out var postings))
            {
                continue;
            }

            var weight = (float)(queryWeight * learned.TermWeight(term) * InverseDocumentFrequency(documents, postings.Count) * (k1 + 1));
            for (var chunk = 0; chunk < postings.Chunks; chunk++)
            {
                var slots = postings.SlotsIn(chunk);
                var counts = postings.CountsIn(chunk);
                for (var i = 0; i < slots.Length; i++)
                {
                    var slot = slots[i];
                    var tf = counts[i];
                    scores[slot] += weight * tf / (tf + (k1f * (1 - bf + (bf * lengths[slot] * inverseAverage))));
                }
            }
        }
    }

    /// <summary>BM25's inverse document frequency of a word found in <paramref name="df"/> of <paramref name="documents"/> memories.</summary>
    public static double InverseDocumentFrequency(int documents, int df) => Math.Log(1 + ((documents - df + 0.5) / (df + 0.5)));

    public void Grow(int capacity) => Array.Resize(ref _lengths, capacity);
}
