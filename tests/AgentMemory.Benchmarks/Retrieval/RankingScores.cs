namespace AgentMemory.Benchmarks.Retrieval;

/// <summary>Recall@k, hit@k and reciprocal rank of evidence ids in a ranked list, accumulated over questions.</summary>
internal sealed class RankingScores
{
    private static readonly int[] Cutoffs = [1, 5, 10, 20];
    private readonly Dictionary<int, double> _recall = Cutoffs.ToDictionary(k => k, _ => 0.0);
    private readonly Dictionary<int, double> _hit = Cutoffs.ToDictionary(k => k, _ => 0.0);
    private double _reciprocalRank;

    public int Questions { get; private set; }

    public void Add(IReadOnlyList<string> ranked, IReadOnlyCollection<string> evidence)
    {
        Questions++;
        foreach (var k in Cutoffs)
        {
            var top = ranked.Take(k).ToHashSet();
            var found = evidence.Count(top.Contains);
            _recall[k] += (double)found / evidence.Count;
            _hit[k] += found > 0 ? 1 : 0;
        }

        for (var i = 0; i < ranked.Count; i++)
        {
            if (evidence.Contains(ranked[i]))
            {
                _reciprocalRank += 1.0 / (i + 1);
                break;
            }
        }
    }

    public double Recall(int k) => Questions == 0 ? 0 : _recall[k] / Questions;

    public double Hit(int k) => Questions == 0 ? 0 : _hit[k] / Questions;

    public double Mrr => Questions == 0 ? 0 : _reciprocalRank / Questions;
}
