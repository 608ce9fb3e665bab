using AgentMemory.Agents;
using AgentMemory.Recall;
using AgentMemory.Retrieval;
using AgentMemory.Storage;
using Microsoft.Extensions.Options;

namespace AgentMemory.Learning;

/// <summary>
/// Learns from a task's outcome: each used memory's utility moves toward the reward; after a failure the words the task
/// shared with the used memories count as misleading; and each relevance signal is credited by how strongly it put the
/// used memories forward. The changes are emitted as records like any other; nothing is learned while the agent's
/// learning is off.
/// </summary>
internal sealed class OutcomeLearner(AgentCache cache, AgentMutator mutator, QueryEmbedder queryEmbedder, IOptions<AgentMemoryOptions> options, TimeProvider time)
{
    private readonly AgentMemoryOptions _options = options.Value;

    /// <param name="agentId">The agent (validated).</param>
    /// <param name="ids">The used memories (validated, distinct, at least one).</param>
    /// <param name="reward">The outcome (validated).</param>
    /// <param name="task">The task (validated), or <see langword="null"/> to learn only utility.</param>
    /// <param name="taskTerms">The task's query terms, or <see langword="null"/> without a task.</param>
    /// <param name="cancellationToken">Cancels waiting.</param>
    public async ValueTask<int> RecordAsync(string agentId, List<Guid> ids, double reward, string? task, KeyValuePair<string, float>[]? taskTerms, CancellationToken cancellationToken)
    {
        // Signal credit compares memories with the best of the agent for the task: the cosines' scale cancels out.
        var taskVector = taskTerms is null
            ? null
            : (await queryEmbedder.EmbedAsync(await cache.GetAsync(agentId, cancellationToken).ConfigureAwait(false), task!, cancellationToken).ConfigureAwait(false)).Vector;

        return await mutator.MutateAsync(
            agentId,
            ids.Count + 1,
            (Learner: this, Ids: ids, Reward: reward, Terms: taskTerms, Vector: taskVector),
            static (mutation, s) => s.Learner.Apply(mutation, s.Ids, s.Reward, s.Terms, s.Vector),
            cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Forgets what the agent learned: every memory's utility back to neutral (0), and the agent's word weights and
    /// signal credit cleared. The memories' changes are emitted like any other (their queue places are not reserved
    /// one by one: a reset is rare and bounded by the agent's memories).
    /// </summary>
    /// <returns>How many memories had a utility other than neutral.</returns>
    public ValueTask<int> ResetAsync(string agentId, CancellationToken cancellationToken) =>
        mutator.MutateAsync(agentId, 1, (Learner: this, AgentId: agentId), static (mutation, s) => s.Learner.Reset(mutation), cancellationToken);

    private int Reset(Mutation mutation)
    {
        var agent = mutation.Agent;
        var now = Validation.TimeRules.Normalize(time.GetUtcNow());
        var changed = new List<(int Slot, MemoryEntry Entry, MemoryEntry Previous)>();
        foreach (var entry in agent.Entries())
        {
            if (entry.Utility != 0)
            {
                changed.Add((agent.SlotOf(entry.Id), entry with { Utility = 0, UpdatedAt = now, Version = entry.Version + 1 }, entry));
            }
        }

        foreach (var (slot, entry, previous) in changed)
        {
            agent.ReplaceStatistics(slot, entry);
            mutation.Updated(slot, entry, previous);
        }

        agent.ResetLearning();
        if (agent.State is { } state)
        {
            if (state.Settings.ValueKind == System.Text.Json.JsonValueKind.Object && state.Settings.TryGetProperty(AgentLearning.SettingsKey, out _))
            {
                // What older versions kept of the learning in the settings goes too.
                agent.State = state with { Settings = AgentLearning.WithoutLearning(state.Settings) };
                mutation.AgentChanged(agent.State);
            }

            mutation.CountersReset();
        }

        return changed.Count;
    }

    private int Apply(Mutation mutation, List<Guid> ids, double reward, KeyValuePair<string, float>[]? taskTerms, float[]? taskVector)
    {
        var agent = mutation.Agent;
        if (agent.State is { LearningEnabled: false })
        {
            return 0;
        }

        var now = Validation.TimeRules.Normalize(time.GetUtcNow());
        var rate = _options.Learning.LearningRate;
        var changed = 0;
        var taskWords = taskTerms?.Select(static t => t.Key).ToHashSet(StringComparer.Ordinal);
        var misleading = new HashSet<string>(StringComparer.Ordinal);
        var learned = false;
        var deltas = new Dictionary<string, double>(StringComparer.Ordinal);
        var slots = new List<int>(ids.Count);
        foreach (var id in ids)
        {
            var slot = agent.SlotOf(id);
            if (slot < 0)
            {
                continue;
            }

            slots.Add(slot);
            if (taskWords is not null && reward < 0)
            {
                // The words the task shared with the memory are what made it look relevant.
                misleading.UnionWith(agent.TermsAt(slot).Where(taskWords.Contains));
            }

            var old = agent.EntryAt(slot);
            var utility = MemoryPatch.ClampUtility(old.Utility + (rate * (reward - old.Utility)));
            var updated = old with { Utility = utility, UpdatedAt = now, Version = old.Version + 1 };
            agent.ReplaceStatistics(slot, updated);
            mutation.Updated(slot, updated, old);
            changed++;
        }

        if (taskTerms is not null && slots.Count > 0)
        {
            // And the signal that put each memory forward, credited with the outcome.
            var recall = _options.Recall;
            foreach (var (lexical, semantic) in agent.Similarities(taskTerms, taskVector, recall.Bm25K1, recall.Bm25B, slots))
            {
                if (semantic is { } value)
                {
                    agent.Learning.CreditSignals(lexical, value, reward, deltas);
                    learned = true;
                }
            }
        }

        if (misleading.Count > 0)
        {
            agent.Learning.Misled(misleading, deltas);
            learned = true;
        }

        if (learned && deltas.Count > 0)
        {
            mutation.EnsureAgent(now);
            mutation.CountersChanged(deltas);
        }

        return changed;
    }
}
