namespace AgentMemory.Benchmarks.Retrieval;

/// <summary>
/// The baseline: the reference BM25 of ../shared/datasets/locomo/README.md (k1 = 1.2, b = 0.75, idf = ln(1 + (N - df
/// + 0.5) / (df + 0.5)), each query term once, only documents scoring above 0 ranked, ties by document order), tokens
/// the lower-case <c>[a-z0-9]+</c> runs minus its stop words, no stemming.
/// </summary>
internal sealed class PlainBm25
{
    private static readonly HashSet<string> StopWords = [.. """
        a about above after again against all am an and any are as at be because been
        before being below between both but by can could did do does doing down during
        each few for from further had has have having he her here hers herself him
        himself his how i if in into is it its itself just me more most my myself no
        nor not now of off on once only or other our ours ourselves out over own same
        she should so some such than that the their theirs them themselves then there
        these they this those through to too under until up very was we were what when
        where which while who whom why will with would you your yours yourself
        yourselves s t d ll re ve m o y don didn doesn isn wasn weren won wouldn
        shouldn couldn hasn haven hadn aren ain also get got may might must shall
        one ever yet still us let
        """.Split((char[])[' ', '\n', '\r'], StringSplitOptions.RemoveEmptyEntries)];

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
        var lower = text.ToLowerInvariant();
        var start = -1;
        for (var i = 0; i <= lower.Length; i++)
        {
            var inWord = i < lower.Length && lower[i] is (>= 'a' and <= 'z') or (>= '0' and <= '9');
            if (inWord && start < 0)
            {
                start = i;
            }
            else if (!inWord && start >= 0)
            {
                var token = lower[start..i];
                if (!StopWords.Contains(token))
                {
                    yield return token;
                }

                start = -1;
            }
        }
    }
}
