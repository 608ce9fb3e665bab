using System.Diagnostics;
using System.Numerics.Tensors;
using AgentMemory.Diagnostics;
using AgentMemory.Persistence;
using AgentMemory.Retrieval;
using AgentMemory.Validation;

namespace AgentMemory.Internal;

internal sealed partial class MemorySystem
{
    public async ValueTask<MemoryEntry?> GetAsync(string agentId, Guid memoryId, CancellationToken cancellationToken = default)
    {
        MemoryValidator.AgentId(agentId);
        MemoryValidator.MemoryId(memoryId);
        var index = await _cache.GetAsync(agentId, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        using (index.EnterRead())
        {
            return index.Get(memoryId) is { } entry && !entry.IsExpired(now) ? entry : null;
        }
    }

    public async ValueTask<MemoryPage> ListAsync(string agentId, MemoryQuery? query = null, CancellationToken cancellationToken = default)
    {
        MemoryValidator.AgentId(agentId);
        query ??= new MemoryQuery();
        MemoryValidator.Query(query);
        var index = await _cache.GetAsync(agentId, cancellationToken).ConfigureAwait(false);
        var filter = CompiledFilter.Create(query, _time.GetUtcNow());
        List<MemoryEntry> matching;
        using (index.EnterRead())
        {
            matching = [.. index.Entries().Where(e => Matches(e, filter))];
        }

        matching.Sort(static (a, b) =>
        {
            var byTime = a.CreatedAt.CompareTo(b.CreatedAt);
            return byTime != 0 ? byTime : a.Id.CompareTo(b.Id);
        });
        var page = matching.Skip(query.Offset).Take(query.Limit).ToList();
        return new MemoryPage(page, matching.Count);
    }

    public async ValueTask<IReadOnlyList<RecalledMemory>> RecallAsync(string agentId, RecallRequest request, CancellationToken cancellationToken = default)
    {
        MemoryValidator.AgentId(agentId);
        _validator.Recall(request);
        using var activity = AgentMemoryInstruments.ActivitySource.StartActivity("agentmemory.recall");
        activity?.SetTag("agentmemory.agent_id", agentId);
        var index = await _cache.GetAsync(agentId, cancellationToken).ConfigureAwait(false);
        var (vector, scale) = await EmbedTaskAsync(index, request.Task, cancellationToken).ConfigureAwait(false);

        var started = Stopwatch.GetTimestamp();
        var now = Now();
        var recall = _options.Recall;
        var weights = request.Weights ?? recall.Weights;
        var query = new SearchQuery
        {
            Terms = TermCounts.ForQuery(request.Task, request.Context, recall.ContextWeight),
            Vector = vector,
            SemanticScale = scale,
            MaxResults = request.MaxResults,
            Threshold = request.Threshold ?? recall.DefaultThreshold,
            SemanticShare = recall.SemanticShare,
            RelevanceWeight = weights.Relevance,
            RecencyWeight = weights.Recency,
            ImportanceWeight = weights.Importance,
            UtilityWeight = weights.Utility,
            K1 = recall.Bm25K1,
            B = recall.Bm25B,
            NowTicks = now.UtcTicks,
            RecencyLambda = Math.Log(2) / recall.RecencyHalfLife.Ticks,
            Filter = CompiledFilter.Create(request.Filter, now),
        };

        SearchHit[] hits;
        using (index.EnterRead())
        {
            hits = index.Search(query);
        }

        var results = new RecalledMemory[hits.Length];
        if (request.UpdateAccessStatistics && hits.Length > 0)
        {
            RecordAccess(index, hits, now, results);
        }
        else
        {
            for (var i = 0; i < hits.Length; i++)
            {
                results[i] = new RecalledMemory(hits[i].Entry, hits[i].Score, hits[i].Breakdown);
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        _instruments.Recalls.Add(1);
        _instruments.RecallDuration.Record(elapsed);
        activity?.SetTag("agentmemory.results", results.Length);
        return results;
    }

    /// <summary>
    /// The query vector of a task, as recall and learning both see it (null without a generator or when it fails),
    /// and the scale of its cosines (see <see cref="SearchQuery.SemanticScale"/>). The built-in generator weighs each
    /// word by how well it tells this agent's memories apart and by what the agent learned of it; another generator
    /// gets the task without the words that misled the agent.
    /// </summary>
    private async ValueTask<(float[]? Vector, float Scale)> EmbedTaskAsync(AgentIndex index, string task, CancellationToken cancellationToken)
    {
        if (_embeddings.IsBuiltIn)
        {
            Dictionary<string, float> weights;
            using (index.EnterRead())
            {
                weights = index.QueryTermWeights(task);
            }

            var (weighted, plain) = _embeddings.EmbedWeightedQuery(task, term => weights.GetValueOrDefault(term, 1f));

            // Leaning toward the telling words moves the query away from the plain text of the task, so even a memory
            // that says exactly the task would be less than cosine 1 from it. Cosines are scaled so that such a memory
            // scores 1, keeping semantic similarity on the scale the threshold and the top-k bound expect.
            var self = TensorPrimitives.Dot<float>(weighted, plain);
            return (weighted, self > 0.05f ? 1f / self : 1f);
        }

        string embedded;
        using (index.EnterRead())
        {
            embedded = index.Learning.WithoutMisleadingWords(task);
        }

        return (await _embeddings.EmbedQueryAsync(embedded, cancellationToken).ConfigureAwait(false), 1f);
    }

    /// <summary>
    /// Recalled memories count as accessed. The statistics travel through the queue when it has room; when it has
    /// none, recall does not wait: the index keeps them as deferred and they are written with a later recall or by
    /// <see cref="FlushAsync"/>, so nothing is lost.
    /// </summary>
    private void RecordAccess(AgentIndex index, SearchHit[] hits, DateTimeOffset now, RecalledMemory[] results)
    {
        var reserved = _queue.TryReserve(hits.Length);
        var used = 0;
        using (index.EnterWrite())
        {
            for (var i = 0; i < hits.Length; i++)
            {
                var hit = hits[i];
                var entry = hit.Entry;
                if (!index.IsRetired && index.SlotOf(entry.Id) == hit.Slot)
                {
                    var current = index.EntryAt(hit.Slot);
                    entry = current with
                    {
                        AccessCount = current.AccessCount + 1,
                        LastAccessedAt = now > current.LastAccessedAt ? now : current.LastAccessedAt,
                    };
                    index.ReplaceStatistics(hit.Slot, entry);
                    if (reserved)
                    {
                        _queue.Enqueue(PendingChange.AccessOf(entry).Attach(null, index, reserved: true));
                        used++;
                    }
                    else
                    {
                        index.DeferAccess(entry.Id);
                        _instruments.AccessUpdatesDeferred.Add(1);
                    }
                }

                results[i] = new RecalledMemory(entry, hit.Score, hit.Breakdown);
            }

            if (reserved && index.HasDeferredAccess && !index.IsRetired)
            {
                var waiting = index.DeferredAccessCount;
                if (_queue.TryReserve(waiting))
                {
                    EnqueueDeferredAccess(index, waiting);
                }
            }
        }

        if (reserved)
        {
            _queue.Release(hits.Length - used);
        }
    }

    /// <summary>Queues every deferred access statistic of cached agents, waiting for queue room.</summary>
    private async Task QueueDeferredAccessAsync(CancellationToken cancellationToken)
    {
        foreach (var index in _cache.Cached())
        {
            var waiting = index.DeferredAccessCount;
            if (waiting == 0)
            {
                continue;
            }

            await _queue.ReserveAsync(waiting, cancellationToken).ConfigureAwait(false);
            using (index.EnterWrite())
            {
                EnqueueDeferredAccess(index, waiting);
            }
        }
    }

    /// <summary>
    /// Queues up to <paramref name="reserved"/> deferred access statistics of <paramref name="index"/> into room the
    /// caller reserved, and gives back the room not used. The caller holds the index's write lock.
    /// </summary>
    private void EnqueueDeferredAccess(AgentIndex index, int reserved)
    {
        var queued = 0;
        if (!index.IsRetired)
        {
            foreach (var entry in index.TakeDeferredAccess(reserved))
            {
                _queue.Enqueue(PendingChange.AccessOf(entry).Attach(null, index, reserved: true));
                queued++;
            }
        }

        _queue.Release(reserved - queued);
    }

    private static bool Matches(MemoryEntry entry, CompiledFilter filter) =>
        !(entry.ExpiresAt is { } expires && expires.UtcTicks <= filter.NowTicks)
        && (filter.TypeMask & (1 << (int)entry.Type)) != 0
        && (byte)entry.Importance >= filter.MinImportance
        && entry.CreatedAt.UtcTicks >= filter.CreatedFromTicks
        && entry.CreatedAt.UtcTicks < filter.CreatedBeforeTicks
        && (filter.Tags is null || CompiledFilter.HasAllTags(entry, filter.Tags));
}
