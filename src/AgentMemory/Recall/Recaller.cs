using System.Diagnostics;
using AgentMemory.Agents;
using AgentMemory.Diagnostics;
using AgentMemory.Persistence;
using AgentMemory.Retrieval;
using AgentMemory.Validation;
using Microsoft.Extensions.Options;

namespace AgentMemory.Recall;

/// <summary>
/// Recall: embeds the task, scores the agent's memories under its read lock, and counts the returned memories as
/// accessed (not after shutdown: then recall answers from what is in process and counts nothing). Access statistics travel through the queue when it has room; when it has none, recall does not wait: the
/// replica keeps them as deferred and they are written with a later recall or by a flush, so nothing is lost.
/// </summary>
internal sealed class Recaller(
    AgentCache cache,
    WriteQueue queue,
    QueryEmbedder queryEmbedder,
    IOptions<AgentMemoryOptions> options,
    TimeProvider time,
    AgentMemoryInstruments instruments)
{
    private readonly RecallOptions _recall = options.Value.Recall;

    public async ValueTask<IReadOnlyList<RecalledMemory>> RecallAsync(string agentId, RecallRequest request, CancellationToken cancellationToken)
    {
        using var activity = AgentMemoryInstruments.ActivitySource.StartActivity("agentmemory.recall");
        activity?.SetTag("agentmemory.agent_id", agentId);
        var agent = await cache.GetAsync(agentId, cancellationToken).ConfigureAwait(false);
        var (vector, scale, calibrate) = await queryEmbedder.EmbedAsync(agent, request.Task, cancellationToken).ConfigureAwait(false);

        var started = Stopwatch.GetTimestamp();
        var now = TimeRules.Normalize(time.GetUtcNow());
        var weights = request.Weights ?? _recall.Weights;
        var query = new SearchQuery
        {
            Terms = TermCounts.ForQuery(request.Task, request.Context, _recall.ContextWeight),
            Vector = vector,
            SemanticScale = scale,
            CalibrateSemantic = calibrate && _recall.CalibrateSemantic,
            MaxResults = request.MaxResults,
            Threshold = request.Threshold ?? _recall.DefaultThreshold,
            SemanticShare = _recall.SemanticShare,
            NeighbourWeight = _recall.NeighbourWeight,
            RelevanceWeight = weights.Relevance,
            RecencyWeight = weights.Recency,
            ImportanceWeight = weights.Importance,
            UtilityWeight = weights.Utility,
            K1 = _recall.Bm25K1,
            B = _recall.Bm25B,
            NowTicks = now.UtcTicks,
            RecencyLambda = Math.Log(2) / _recall.RecencyHalfLife.Ticks,
            Filter = CompiledFilter.Create(request.Filter, now),
        };

        SearchHit[] hits;
        using (agent.EnterRead())
        {
            hits = agent.Search(query);
        }

        var results = new RecalledMemory[hits.Length];

        // Once the memory system has shut down nothing more can be saved: recall still answers, uncounted.
        if (request.UpdateAccessStatistics && hits.Length > 0 && !queue.IsCompleted)
        {
            RecordAccess(agent, hits, now, results);
        }
        else
        {
            for (var i = 0; i < hits.Length; i++)
            {
                results[i] = new RecalledMemory(hits[i].Entry, hits[i].Score, hits[i].Breakdown);
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        instruments.Recalls.Add(1);
        instruments.RecallDuration.Record(elapsed);
        activity?.SetTag("agentmemory.results", results.Length);
        return results;
    }

    /// <summary>Queues every deferred access statistic of cached agents, waiting for queue room.</summary>
    public async Task QueueDeferredAccessAsync(CancellationToken cancellationToken)
    {
        foreach (var agent in cache.Cached())
        {
            var waiting = agent.Deferred.Count;
            if (waiting == 0)
            {
                continue;
            }

            await queue.ReserveAsync(waiting, cancellationToken).ConfigureAwait(false);
            using (agent.EnterWrite())
            {
                EnqueueDeferredAccess(agent, waiting);
            }
        }
    }

    private void RecordAccess(AgentReplica agent, SearchHit[] hits, DateTimeOffset now, RecalledMemory[] results)
    {
        var reserved = queue.TryReserve(hits.Length);
        var used = 0;
        using (agent.EnterWrite())
        {
            for (var i = 0; i < hits.Length; i++)
            {
                var hit = hits[i];
                var entry = hit.Entry;
                if (!agent.IsRetired && agent.SlotOf(entry.Id) == hit.Slot)
                {
                    var current = agent.EntryAt(hit.Slot);
                    entry = current with
                    {
                        AccessCount = current.AccessCount + 1,
                        LastAccessedAt = now > current.LastAccessedAt ? now : current.LastAccessedAt,
                    };
                    agent.ReplaceStatistics(hit.Slot, entry);
                    if (reserved && TryEnqueueAccess(agent, hit.Slot, 1))
                    {
                        used++;
                    }
                    else if (!queue.IsCompleted)
                    {
                        agent.Deferred.Add(entry.Id);
                        instruments.AccessUpdatesDeferred.Add(1);
                    }
                }

                results[i] = new RecalledMemory(entry, hit.Score, hit.Breakdown);
            }

            if (reserved && agent.Deferred.Count > 0 && !agent.IsRetired)
            {
                var waiting = agent.Deferred.Count;
                if (queue.TryReserve(waiting))
                {
                    EnqueueDeferredAccess(agent, waiting);
                }
            }
        }

        if (reserved)
        {
            queue.Release(hits.Length - used);
        }
    }

    /// <summary>Queues the access statistics of the memory in <paramref name="slot"/> into reserved room (caller holds the write lock); false when the queue closed meanwhile (shutdown).</summary>
    private bool TryEnqueueAccess(AgentReplica agent, int slot, long accesses)
    {
        try
        {
            var entry = agent.EntryAt(slot);
            var record = ChangeRecord.AccessOf(entry, accesses, new ChangeRecord.Tracking(null, agent.Pin, Reserved: true));
            // Unlike other changes, an access does not keep another host's version of the memory waiting: access
            // statistics merge by the larger value (RemoteChanges), so this host's unwritten accesses are not lost.
            queue.Enqueue(record);
            return true;
        }
        catch (ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>
    /// Queues up to <paramref name="reserved"/> deferred access statistics of <paramref name="agent"/> into room the
    /// caller reserved, and gives back the room not used. The caller holds the agent's write lock.
    /// </summary>
    private void EnqueueDeferredAccess(AgentReplica agent, int reserved)
    {
        var queued = 0;
        if (!agent.IsRetired)
        {
            foreach (var (id, accesses) in agent.Deferred.Take(reserved, id => agent.SlotOf(id) >= 0))
            {
                if (TryEnqueueAccess(agent, agent.SlotOf(id), accesses))
                {
                    queued++;
                }
            }
        }

        queue.Release(reserved - queued);
    }
}
