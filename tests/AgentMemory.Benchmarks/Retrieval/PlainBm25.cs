namespace AgentMemory.Benchmarks.Retrieval;

/// <summary>The baseline: plain BM25 (k1 = 1.2, b = 0.75), lower-cased letter/digit tokens, no stemming, no stopwords.</summary>
internal sealed class PlainBm25
{
    private const double K1 = 1.2;
    private const double B = 0.75;
    private readonly List<Dictionary<string, int>> _documents = [];
    private readonly Dictionary<string, int> _documentFrequency = [];
    private double _averageLength;

    public PlainBm25(IEnumerable<string> documents)
    {
        long total = 0;
        foreach (var document in documents)
        {
            var counts = new Dictionary<string, int>();
            foreach (var token in Tokens(document))
            {
                counts[token] = counts.GetValueOrDefault(token) + 1;
                total++;
            }

            foreach (var term in counts.Keys)
            {
                _documentFrequency[term] = _documentFrequency.GetValueOrDefault(term) + 1;
            }

            _documents.Add(counts);
        }

        _averageLength = _documents.Count == 0 ? 1 : (double)total / _documents.Count;
    }

    /// <summary>Document indexes, best first.</summary>
    public List<int> Rank(string query, int k)
    {
        var terms = Tokens(query).Distinct().ToList();
        var scores = new List<(int Index, double Score)>();
        for (var d = 0; d < _documents.Count; d++)
        {
            var document = _documents[d];
            var length = document.Values.Sum();
            double score = 0;
            foreach (var term in terms)
            {
                if (!document.TryGetValue(term, out var tf))
                {
                    continue;
                }

                var df = _documentFrequency[term];
                var idf = Math.Log(1 + ((_documents.Count - df + 0.5) / (df + 0.5)));
                score += idf * tf * (K1 + 1) / (tf + (K1 * (1 - B + (B * length / _averageLength))));
            }

            if (score > 0)
            {
                scores.Add((d, score));
            }
        }

        return [.. scores.OrderByDescending(s => s.Score).ThenBy(s => s.Index).Take(k).Select(s => s.Index)];
    }

    private static IEnumerable<string> Tokens(string text)
    {
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
                yield return text[start..i].ToLowerInvariant();
                start = -1;
            }
        }
    }
}
