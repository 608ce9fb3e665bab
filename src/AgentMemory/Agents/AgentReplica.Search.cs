using System.Buffers;
using System.Numerics.Tensors;
using AgentMemory.Retrieval;

namespace AgentMemory.Agents;

internal sealed partial class AgentReplica
{
    /// <summary>Margin under the k-th best score within which a memory is still scored exactly (float rounding).</summary>
    private const double BoundSlack = 1e-5;

    /// <summary>Below this many vector elements a scan runs on one thread.</summary>
    private const long ParallelThreshold = 4_000_000;

    /// <summary>Memories scored before the scan, per requested result.</summary>
    private const int SeedsPerResult = 4;

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
        float[]? memo = null;
        try
        {
            lexical.AsSpan(0, slotCount).Clear();
            var maxLexical = ScoreLexical(query.Terms, query.K1, query.B, filter, lexical);
            var vector = query.Vector is { } v && _vectors.Dimensions == v.Length ? UnitLength(v) : null;

            // The memories that match the most words are scored first: they are the likeliest to end in the top k, so
            // the bound below which the scan skips vectors starts near its final height.
            var seeds = BestLexicalSlots(lexical, slotCount, query.MaxResults * SeedsPerResult);
            var calibration = vector is null || !query.CalibrateSemantic
                ? SemanticCalibration.Uncalibrated(query.SemanticScale)
                : Calibrate(vector, BestLexicalSlots(lexical, slotCount, SemanticCalibration.WordMatches), filter, query.SemanticScale);
            memo = ArrayPool<float>.Shared.Rent(slotCount);
            memo.AsSpan(0, slotCount).Fill(-1f);
            var scan = new ScanContext(this, query, filter, lexical, maxLexical, vector, calibration, AppliedLearning.SemanticShare(query.SemanticShare), LearningApplies, memo);
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
                var (breakdown, score) = scan.Breakdown(slot);
                hits[i] = new SearchHit(slot, _entries[slot]!, score, breakdown);
            }

            return hits;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(lexical);
            if (memo is not null)
            {
                ArrayPool<float>.Shared.Return(memo);
            }
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
                if (_vectors.Has(other) && _columns.IsLive(other))
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

    /// <summary>How many memories hold the term (caller holds a lock).</summary>
    public int DocumentFrequency(string term) => _lexical.DocumentFrequency(term);

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
                weights[term] = (float)(LexicalIndex.InverseDocumentFrequency(documents, DocumentFrequency(term)) * AppliedLearning.TermWeight(term));
            }
        }

        return weights;
    }

    /// <summary>BM25 into <paramref name="scores"/>; returns the best score among slots that pass the filter.</summary>
    private float ScoreLexical(KeyValuePair<string, float>[] terms, double k1, double b, CompiledFilter? filter, float[] scores)
    {
        _lexical.Score(terms, k1, b, AppliedLearning, _byId.Count, scores);

        // One pass over the slots (fewer than the postings of common words); the filter is checked only for a new best.
        var max = 0f;
        var count = _slotCount;
        for (var slot = 0; slot < count; slot++)
        {
            if (scores[slot] > max && _columns.Passes(slot, filter, _entries))
            {
                max = scores[slot];
            }
        }

        return max;
    }

    /// <summary>
    /// The calibration of this recall's cosines (see <see cref="SemanticCalibration"/>): from an even sample of the
    /// memories that pass the filter, and the best word matches (a fixed number of them, so that a recall's scores do not
    /// depend on how many results it asks for). Reads a few hundred vectors, not every one.
    /// </summary>
    private SemanticCalibration Calibrate(float[] vector, int[] seeds, CompiledFilter? filter, float scale)
    {
        var slotCount = _slotCount;
        var step = Math.Max(1, slotCount / SemanticCalibration.SampleSize);
        var cosines = ArrayPool<float>.Shared.Rent(SemanticCalibration.SampleSize + seeds.Length + 1);
        try
        {
            var count = 0;
            void Add(AgentReplica agent, int slot)
            {
                if (agent._vectors.Has(slot) && agent._columns.Passes(slot, filter, agent._entries))
                {
                    cosines[count++] = agent._vectors.Cosine(slot, vector) * scale;
                }
            }

            for (var slot = 0; slot < slotCount && count < SemanticCalibration.SampleSize; slot += step)
            {
                Add(this, slot);
            }

            foreach (var slot in seeds)
            {
                Add(this, slot);
            }

            return SemanticCalibration.FromSample(scale, cosines.AsSpan(0, count));
        }
        finally
        {
            ArrayPool<float>.Shared.Return(cosines);
        }
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

    /// <summary>
    /// The per-recall constants of the scan and the per-slot scoring. A memory's relevance is its own (semantic and
    /// lexical similarity) lifted by its context: the better of its two neighbours in formation order (what the agent
    /// took in just before and just after it) lends it a share of its own relevance,
    /// <c>own + w·context·(1 − own)</c>, which stays in [0, 1], never lowers a memory, and rises with both. The memo
    /// keeps each slot's own relevance once computed (a neighbour's vector is read once per recall).
    /// </summary>
    private readonly struct ScanContext(AgentReplica agent, SearchQuery query, CompiledFilter? filter, float[] lexical, float maxLexical, float[]? vector, SemanticCalibration calibration, double share, bool useUtility, float[] memo)
    {
        private readonly ScoreFormula _formula = new(query);

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

        /// <summary>Scores one slot into <paramref name="best"/>, reading vectors only when it could make the top k.</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public void Consider(int slot, TopK best, float floor)
        {
            var columns = agent._columns;
            if (!columns.Passes(slot, filter, agent._entries))
            {
                return;
            }

            var threshold = query.Threshold;
            var rest = _formula.Rest(columns.LastAccessTicks(slot), columns.Importance(slot), Utility(slot));

            // Semantic similarity is at most 1: a memory that could not enter the top k (or pass the threshold) even
            // with every unread similarity at 1 is skipped without reading a vector.
            var upper = query.NeighbourWeight > 0
                ? Lift(Upper(slot), Math.Max(Upper(agent._order.Previous(slot)), Upper(agent._order.Next(slot))))
                : Upper(slot);
            if (upper < threshold || _formula.Score(upper, rest) < Math.Max(best.Floor, floor) - BoundSlack)
            {
                return;
            }

            var relevance = Relevance(slot);
            if (relevance < threshold)
            {
                return;
            }

            best.Offer(slot, (float)_formula.Score(relevance, rest));
        }

        /// <summary>The slot's breakdown, and its score by the same formula the scan ranked it with.</summary>
        public (ScoreBreakdown Breakdown, double Score) Breakdown(int slot)
        {
            var columns = agent._columns;
            var lexicalPart = Lexical(slot);
            var semantic = vector is not null && agent._vectors.Has(slot) ? Semantic(slot) : 0;
            var relevance = Relevance(slot);
            var recency = _formula.Recency(columns.LastAccessTicks(slot));
            var importance = ScoreFormula.Importance(columns.Importance(slot));
            var utility = ScoreFormula.Utility(Utility(slot));
            var score = _formula.Score(relevance, _formula.Rest(columns.LastAccessTicks(slot), columns.Importance(slot), Utility(slot)));
            return (new ScoreBreakdown(relevance, semantic, lexicalPart, recency, importance, utility), score);
        }

        /// <summary>The slot's relevance, its neighbours' context included (their vectors are not read when context counts for nothing).</summary>
        private double Relevance(int slot) =>
            query.NeighbourWeight > 0 ? Lift(Own(slot), Math.Max(Own(agent._order.Previous(slot)), Own(agent._order.Next(slot)))) : Own(slot);

        /// <summary>Relevance lifted by the context: <c>own + w·context·(1 − own)</c>.</summary>
        private double Lift(double own, double context) => own + (query.NeighbourWeight * context * (1 - own));

        /// <summary>The most a slot's own relevance can be without reading its vector (0 for no slot).</summary>
        private double Upper(int slot)
        {
            if (slot < 0)
            {
                return 0;
            }

            var lexicalPart = Lexical(slot);
            return vector is not null && agent._vectors.Has(slot) ? share + ((1 - share) * lexicalPart) : lexicalPart;
        }

        /// <summary>A slot's own relevance, semantic and lexical (0 for no slot), computed once per recall.</summary>
        private double Own(int slot)
        {
            if (slot < 0)
            {
                return 0;
            }

            var known = memo[slot];
            if (known >= 0)
            {
                return known;
            }

            var lexicalPart = Lexical(slot);
            var own = vector is not null && agent._vectors.Has(slot) ? (share * Semantic(slot)) + ((1 - share) * lexicalPart) : lexicalPart;
            memo[slot] = (float)own;
            return (float)own;
        }

        /// <summary>The slot's word match, as a fraction of the best among the memories that pass the filter.</summary>
        private double Lexical(int slot) => maxLexical > 0 ? lexical[slot] / maxLexical : 0;

        /// <summary>The slot's learned utility; neutral while the agent's learning is off.</summary>
        private float Utility(int slot) => useUtility ? agent._columns.Utility(slot) : 0f;

        /// <summary>The slot's semantic similarity: its cosine with the query, calibrated for this recall, in [0, 1] (the slot has a vector).</summary>
        private float Semantic(int slot) => calibration.Apply(agent._vectors.Cosine(slot, vector));
    }
}
