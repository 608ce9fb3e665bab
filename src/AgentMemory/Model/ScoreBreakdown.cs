namespace AgentMemory;

/// <summary>Why a memory was recalled: each named component in [0, 1].</summary>
/// <param name="Relevance">Hybrid relevance to the task: the mix of <paramref name="Semantic"/> and <paramref name="Lexical"/>.</param>
/// <param name="Semantic">Embedding similarity to the task (cosine, negatives as 0).</param>
/// <param name="Lexical">BM25-style word match to the task, as a fraction of the best-matching memory.</param>
/// <param name="Recency">Exponential decay since the memory was last accessed (1 = just now).</param>
/// <param name="Importance">The memory's importance (low 0.25 to critical 1).</param>
/// <param name="Utility">Learned usefulness (0.5 = neutral, 1 = always led to success).</param>
public readonly record struct ScoreBreakdown(
    double Relevance,
    double Semantic,
    double Lexical,
    double Recency,
    double Importance,
    double Utility);
