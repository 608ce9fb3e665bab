using System.Buffers;
using System.Numerics.Tensors;

namespace AgentMemory.Retrieval;

internal sealed partial class AgentIndex
{
    /// <summary>Margin under the k-th best score within which a memory is still scored exactly (float rounding).</summary>
    private const double BoundSlack = 1e-5;

    /// <summary>Below this many vector elements a scan runs on one thread.</summary>
    private const long ParallelThreshold = 4_000_000;

    /// <summary>Scores every live memory that passes the filter and returns the best, best first (caller holds a lock).</summary>
    public SearchHit[] Search(SearchQuery query)
    {
        var slotCount = _slotCount;
        if (_byId.Count == 0)
        {
            return [];
        }

        var filter = query.Filter;
        var lexical = ArrayPool<float>.Shared.Rent(slotCount);
        try
        {
            lexical.AsSpan(0, slotCount).Clear();
            var maxLexical = ScoreLexical(query.Terms, query.K1, query.B, filter, lexical);
            var vector = query.Vector is { } v && _vectors.Dimensions == v.Length ? UnitLength(v) : null;
            var scan = new ScanContext(this, query, filter, lexical, maxLexical, vector, Learning.SemanticShare(query.SemanticShare));

            // The memories that match the most words are scored first: they are the likeliest to end in the top k, so
            // the bound below which the scan skips vectors starts near its final height.
            var seeds = BestLexicalSlots(lexical, slotCount, query.MaxResults * SeedsPerResult);
            var best = new TopK(query.MaxResults);
            foreach (var slot in seeds)
            {
                scan.Consider(slot, best, float.NegativeInfinity);
            }

            var seeded = best.Floor;
            var partitions = (long)slotCount * Math.Max(_vectors.Dimensions, 1) >= ParallelThreshold ? Math.Min(Environment.ProcessorCount, 8) : 1;
            if (partitions <= 1)
            {
                scan.Run(0, slotCount, best, seeds, seeded);
            }
            else
            {
                var parts = new TopK[partitions];
                var size = (slotCount + partitions - 1) / partitions;
                Parallel.For(0, partitions, new ParallelOptions { MaxDegreeOfParallelism = partitions }, p =>
                {
                    var part = new TopK(query.MaxResults);
                    scan.Run(p * size, Math.Min(slotCount, (p + 1) * size), part, seeds, seeded);
                    parts[p] = part;
                });
                foreach (var part in parts)
                {
                    best.Merge(part);
                }
            }

            var selected = best.ToSortedArray();
            var hits = new SearchHit[selected.Length];
            for (var i = 0; i < selected.Length; i++)
            {
                var slot = selected[i].Slot;
                var breakdown = scan.Breakdown(slot);
                hits[i] = new SearchHit(slot, _entries[slot]!, scan.Score(breakdown), breakdown);
            }

            return hits;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(lexical);
        }
    }

    /// <summary>
    /// How strongly each relevance signal put each of <paramref name="slots"/> forward for a task: its word match and
    /// its embedding similarity, each as a fraction of the best any memory of the agent reaches (the embedding part is
    /// null without comparable vectors). One BM25 pass and one vector scan serve every slot. Caller holds a lock.
    /// </summary>
    public (double Lexical, double? Semantic)[] Similarities(KeyValuePair<string, float>[] terms, float[]? vector, double k1, double b, IReadOnlyList<int> slots)
    {
        var scores = ArrayPool<float>.Shared.Rent(_slotCount);
        try
        {
            scores.AsSpan(0, _slotCount).Clear();
            var maxLexical = ScoreLexical(terms, k1, b, null, scores);
            var comparable = vector is not null && vector.Length == _vectors.Dimensions;
            var bestSemantic = 0f;
            for (var other = 0; comparable && other < _slotCount; other++)
            {
                if (_vectors.Has(other) && _types[other] != DeadSlot)
                {
                    bestSemantic = Math.Max(bestSemantic, _vectors.Cosine(other, vector));
                }
            }

            var result = new (double Lexical, double? Semantic)[slots.Count];
            for (var i = 0; i < slots.Count; i++)
            {
                var slot = slots[i];
                var lexical = maxLexical > 0 ? scores[slot] / maxLexical : 0;
                double? semantic = null;
                if (comparable && _vectors.Has(slot))
                {
                    var own = Math.Max(0f, _vectors.Cosine(slot, vector));
                    semantic = bestSemantic > 0 ? own / bestSemantic : 0;
                }

                result[i] = (lexical, semantic);
            }

            return result;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(scores);
        }
    }

    /// <summary>BM25 (with the agent's learned word weights) over the postings of the query's terms; returns the best score among slots that pass the filter.</summary>
    private float ScoreLexical(KeyValuePair<string, float>[] terms, double k1, double b, CompiledFilter? filter, float[] scores)
    {
        var documents = _byId.Count;
        if (terms.Length == 0 || documents == 0 || _totalLength == 0)
        {
            return 0;
        }

        var inverseAverage = (float)(documents / (double)_totalLength);
        var k1f = (float)k1;
        var bf = (float)b;
        var lengths = _lengths;
        var learned = Learning;
        foreach (var (term, queryWeight) in terms)
        {
            if (!_postings.TryGetValue(term, out var postings))
            {
                continue;
            }

            var weight = (float)(queryWeight * learned.TermWeight(term) * InverseDocumentFrequency(documents, postings.Count) * (k1 + 1));
            var slots = postings.Slots;
            var counts = postings.Counts;
            for (var i = 0; i < slots.Length; i++)
            {
                var slot = slots[i];
                var tf = counts[i];
                scores[slot] += weight * tf / (tf + (k1f * (1 - bf + (bf * lengths[slot] * inverseAverage))));
            }
        }

        // One pass over the slots (fewer than the postings of common words); the filter is checked only for a new best.
        var max = 0f;
        var count = _slotCount;
        for (var slot = 0; slot < count; slot++)
        {
            if (scores[slot] > max && Passes(slot, filter))
            {
                max = scores[slot];
            }
        }

        return max;
    }

    /// <summary>The query vector scaled to unit length, so <see cref="SlotVectors.Cosine"/> is the cosine; null when it has no direction.</summary>
    private static float[]? UnitLength(float[] vector)
    {
        if (Math.Abs(TensorPrimitives.Norm(vector) - 1f) < 1e-4f)
        {
            return vector;
        }

        var unit = new float[vector.Length];
        return UnitVectors.TryNormalize(vector, unit) ? unit : null;
    }

    private bool Passes(int slot, CompiledFilter? filter)
    {
        var type = _types[slot];
        if (type == DeadSlot)
        {
            return false;
        }

        if (filter is null)
        {
            return true;
        }

        return _expiresTicks[slot] > filter.NowTicks
            && (filter.TypeMask & (1 << type)) != 0
            && _importance[slot] >= filter.MinImportance
            && _createdTicks[slot] >= filter.CreatedFromTicks
            && _createdTicks[slot] < filter.CreatedBeforeTicks
            && (filter.Tags is null || CompiledFilter.HasAllTags(_entries[slot]!, filter.Tags));
    }

    /// <summary>How many memories hold the term (caller holds a lock).</summary>
    public int DocumentFrequency(string term) => _postings.TryGetValue(term, out var postings) ? postings.Count : 0;

    /// <summary>
    /// What each word of a query tells this agent's memories apart by, for weighing the words of the query the
    /// built-in generator embeds: its inverse document frequency, as BM25 weighs it, times what the agent learned of
    /// the word. Boilerplate that most memories share (and words that misled the agent) then hardly moves the query
    /// vector, as they hardly move the word match (caller holds a lock).
    /// </summary>
    public Dictionary<string, float> QueryTermWeights(string text)
    {
        var weights = new Dictionary<string, float>(StringComparer.Ordinal);
        var documents = _byId.Count;
        foreach (var term in Tokenizer.Terms(text))
        {
            if (!weights.ContainsKey(term))
            {
                weights[term] = (float)(InverseDocumentFrequency(documents, DocumentFrequency(term)) * Learning.TermWeight(term));
            }
        }

        return weights;
    }

    /// <summary>Memories scored before the scan, per requested result.</summary>
    private const int SeedsPerResult = 4;

    /// <summary>The slots of the <paramref name="count"/> best word matches (score above 0), in ascending slot order.</summary>
    private static int[] BestLexicalSlots(float[] lexical, int slotCount, int count)
    {
        var top = new TopK(count);
        for (var slot = 0; slot < slotCount; slot++)
        {
            if (lexical[slot] > 0 && lexical[slot] > top.Floor)
            {
                top.Offer(slot, lexical[slot]);
            }
        }

        var slots = top.ToSortedArray().Select(static s => s.Slot).ToArray();
        Array.Sort(slots);
        return slots;
    }

    /// <summary>BM25's inverse document frequency of a word found in <paramref name="df"/> of <paramref name="documents"/> memories.</summary>
    private static double InverseDocumentFrequency(int documents, int df) => Math.Log(1 + ((documents - df + 0.5) / (df + 0.5)));

    /// <summary>The per-recall constants of the scan and the per-slot scoring.</summary>
    private readonly struct ScanContext(AgentIndex index, SearchQuery query, CompiledFilter? filter, float[] lexical, float maxLexical, float[]? vector, double share)
    {
        private readonly double _totalWeight = query.RelevanceWeight + query.RecencyWeight + query.ImportanceWeight + query.UtilityWeight;

        /// <summary>
        /// Scores the slots in [start, end) except <paramref name="skip"/> (ascending; already scored), into
        /// <paramref name="best"/>; <paramref name="floor"/> is a k-th best score already reached elsewhere.
        /// </summary>
        public void Run(int start, int end, TopK best, int[] skip, float floor)
        {
            var next = Array.BinarySearch(skip, start);
            next = next < 0 ? ~next : next;
            for (var slot = start; slot < end; slot++)
            {
                if (next < skip.Length && skip[next] == slot)
                {
                    next++;
                    continue;
                }

                Consider(slot, best, floor);
            }
        }

        /// <summary>Scores one slot into <paramref name="best"/>, reading its vector only when it could make the top k.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void Consider(int slot, TopK best, float floor)
        {
            if (!index.Passes(slot, filter))
            {
                return;
            }

            var threshold = query.Threshold;
            double relevance = maxLexical > 0 ? lexical[slot] / maxLexical : 0f;
            var rest = (query.RecencyWeight > 0 ? query.RecencyWeight * Recency(slot) : 0)
                + (query.ImportanceWeight * Importance(slot))
                + (query.UtilityWeight * Utility(slot));
            if (vector is not null && index._vectors.Has(slot))
            {
                // Semantic similarity is at most 1 (a scaled cosine, capped): a memory that could not enter the top k
                // (or pass the threshold) even at 1 is skipped without reading its vector.
                var bestRelevance = share + ((1 - share) * relevance);
                if (bestRelevance < threshold || ((query.RelevanceWeight * bestRelevance) + rest) / _totalWeight < Math.Max(best.Floor, floor) - BoundSlack)
                {
                    return;
                }

                relevance = (share * Semantic(slot)) + ((1 - share) * relevance);
            }

            if (relevance < threshold)
            {
                return;
            }

            var score = (query.RelevanceWeight * relevance) + rest;
            best.Offer(slot, (float)(score / _totalWeight));
        }

        /// <summary>The slot's semantic similarity: its cosine with the query, scaled and capped at 1 (the slot has a vector).</summary>
        private float Semantic(int slot) => Math.Clamp(index._vectors.Cosine(slot, vector) * query.SemanticScale, 0f, 1f);

        public ScoreBreakdown Breakdown(int slot)
        {
            double lexicalPart = maxLexical > 0 ? lexical[slot] / maxLexical : 0;
            double semantic = 0;
            var relevance = lexicalPart;
            if (vector is not null && index._vectors.Has(slot))
            {
                semantic = Semantic(slot);
                relevance = (share * semantic) + ((1 - share) * lexicalPart);
            }

            return new ScoreBreakdown(relevance, semantic, lexicalPart, Recency(slot), Importance(slot), Utility(slot));
        }

        public double Score(ScoreBreakdown b) =>
            ((query.RelevanceWeight * b.Relevance) + (query.RecencyWeight * b.Recency)
            + (query.ImportanceWeight * b.Importance) + (query.UtilityWeight * b.Utility)) / _totalWeight;

        private double Recency(int slot)
        {
            var age = query.NowTicks - index._lastAccessTicks[slot];
            return age <= 0 ? 1.0 : Math.Exp(-query.RecencyLambda * age);
        }

        private double Importance(int slot) => (index._importance[slot] + 1) / 4.0;

        private double Utility(int slot) => (index._utility[slot] + 1) / 2.0;
    }
}
