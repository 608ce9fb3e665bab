using System.Numerics.Tensors;
using AgentMemory.Agents;
using AgentMemory.Embeddings;

namespace AgentMemory.Recall;

/// <summary>
/// A task's query vector, as recall and learning both see it (null without a generator or when it fails), the scale of
/// its cosines (see <see cref="Retrieval.SearchQuery.SemanticScale"/>), and whether recall calibrates them
/// (<see cref="Retrieval.SemanticCalibration"/>). The built-in generator weighs each word by how well it tells this
/// agent's memories apart and by what the agent learned of it, and scales its cosines to the task's own, which is its
/// calibration: calibrating them again measured worse for learning (0.894 against 0.900 in the learning benchmark).
/// Another generator gets the task without the words that misled the agent, and its cosines are calibrated.
/// </summary>
internal sealed class QueryEmbedder(EmbeddingService embeddings)
{
    public async ValueTask<(float[]? Vector, float Scale, bool Calibrate)> EmbedAsync(AgentReplica agent, string task, CancellationToken cancellationToken)
    {
        if (embeddings.IsBuiltIn)
        {
            Dictionary<string, float> weights;
            using (agent.EnterRead())
            {
                weights = agent.QueryTermWeights(task);
            }

            var (weighted, plain) = embeddings.EmbedWeightedQuery(task, term => weights.GetValueOrDefault(term, 1f));

            // Leaning toward the telling words moves the query away from the plain text of the task, so even a memory
            // that says exactly the task would be less than cosine 1 from it. Cosines are scaled so that such a memory
            // scores 1, keeping semantic similarity on the scale the threshold and the top-k bound expect.
            var self = TensorPrimitives.Dot<float>(weighted, plain);
            return (weighted, self > 0.05f ? 1f / self : 1f, false);
        }

        string embedded;
        using (agent.EnterRead())
        {
            embedded = agent.AppliedLearning.WithoutMisleadingWords(task);
        }

        return (await embeddings.EmbedQueryAsync(embedded, cancellationToken).ConfigureAwait(false), 1f, true);
    }
}
