using AgentMemory.Coherence;
using AgentMemory.Agents;
using AgentMemory.Diagnostics;
using AgentMemory.Embeddings;
using AgentMemory.Retrieval;
using AgentMemory.Storage;
using AgentMemory.Validation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMemory.Consolidation;

/// <summary>
/// Consolidates one agent: takes the agent's consolidation lock (across hosts when the store provides one), plans from
/// a snapshot of its memories, lets the chat client phrase new semantic memories, and applies the plan through the
/// agent's mutator in chunks, each change only where every memory it read is unchanged since and every memory a new
/// one is made from still exists; nothing of a plan is applied once the agent was erased.
/// </summary>
internal sealed class Consolidator(
    AgentCache cache,
    AgentMutator mutator,
    EmbeddingService embeddings,
    IConsolidationLock consolidationLock,
    Generalizer generalizer,
    ChangeFeed feed,
    IOptions<AgentMemoryOptions> options,
    TimeProvider time,
    AgentMemoryInstruments instruments,
    ILoggerFactory? loggerFactory = null)
{
    private readonly ILogger _logger = Loggers.Create<Consolidator>(loggerFactory);
    private readonly AgentMemoryOptions _options = options.Value;
    private readonly TimeProvider _time = time;
    private readonly AgentMemoryInstruments _instruments = instruments;
    private readonly Generalizer _generalizer = generalizer;

    /// <summary>Changes applied under one hold of the agent's write lock, so recalls and remembers interleave with a long run.</summary>
    private const int ConsolidationChunk = 256;

    private static readonly TimeSpan ConsolidationLockPoll = TimeSpan.FromMilliseconds(100);

    /// <summary>Consolidates the agent, waiting while another run holds it.</summary>
    public async ValueTask<ConsolidationReport> ConsolidateAsync(string agentId, CancellationToken cancellationToken)
    {
        while (true)
        {
            if (await TryConsolidateAsync(agentId, cancellationToken).ConfigureAwait(false) is { } report)
            {
                return report;
            }

            // Another run (here or on another host) holds the agent; this one waits for it to finish.
            await Task.Delay(ConsolidationLockPoll, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Consolidates the agent, or returns <see langword="null"/> at once when another run holds it.</summary>
    public async Task<ConsolidationReport?> TryConsolidateAsync(string agentId, CancellationToken cancellationToken)
    {
        var held = await consolidationLock.TryAcquireAsync(agentId, cancellationToken).ConfigureAwait(false);
        if (held is null)
        {
            Log.ConsolidationBusy(_logger, agentId);
            return null;
        }

        await using (held.ConfigureAwait(false))
        {
            return await ConsolidateHeldAsync(agentId, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ConsolidationReport> ConsolidateHeldAsync(string agentId, CancellationToken cancellationToken)
    {
        using var activity = AgentMemoryInstruments.ActivitySource.StartActivity("agentmemory.consolidate");
        activity?.SetTag("agentmemory.agent_id", agentId);
        var started = _time.GetTimestamp();

        // Pending embeddings first, so near-duplicates and clusters are seen among the newest memories too.
        await embeddings.FlushAsync(cancellationToken).ConfigureAwait(false);
        var agent = await cache.GetAsync(agentId, cancellationToken).ConfigureAwait(false);

        // What other hosts committed is applied before the plan is made, so it plans on the memories as they are.
        await feed.CatchUpAsync(cancellationToken).ConfigureAwait(false);
        agent = await cache.GetAsync(agentId, cancellationToken).ConfigureAwait(false);
        List<MemoryEntry> snapshot;
        HashSet<Guid> comparable;
        using (agent.EnterRead())
        {
            snapshot = [.. agent.Entries()];
            comparable = [.. snapshot.Where(agent.HasUsableEmbedding).Select(m => m.Id)];
        }

        var changes = ConsolidationPlanner.Plan(_options.Consolidation, snapshot, m => comparable.Contains(m.Id), Now());
        await GeneralizeAsync(changes, snapshot, cancellationToken).ConfigureAwait(false);

        var counts = new int[Enum.GetValues<ConsolidationChangeKind>().Length];
        var skipped = 0;
        for (var start = 0; start < changes.Count;)
        {
            var chunk = NextChunk(changes, start);
            start += chunk.Count;
            await mutator.MutateAsync(
                agentId,
                chunk.Sum(c => c.Upserts.Count + c.Removals.Count) + 1,
                mutation =>
                {
                    if (!ReferenceEquals(mutation.Agent, agent))
                    {
                        // The agent was erased (or left the process and came back) while the plan was made or phrased:
                        // the plan speaks of memories that are gone, so none of it is applied.
                        skipped += chunk.Count;
                        return true;
                    }

                    foreach (var change in chunk)
                    {
                        if (TryApply(mutation, change))
                        {
                            counts[(int)change.Kind] += change.Count;
                        }
                        else
                        {
                            skipped++;
                        }
                    }

                    return true;
                },
                cancellationToken).ConfigureAwait(false);
        }

        // Counted in the agent as it is now (an erased agent has a new, empty replica).
        var current = await cache.GetAsync(agentId, cancellationToken).ConfigureAwait(false);
        int kept;
        using (current.EnterRead())
        {
            kept = current.Count;
        }

        var report = new ConsolidationReport
        {
            AgentId = agentId,
            Expired = counts[(int)ConsolidationChangeKind.Expired],
            WorkingPromoted = counts[(int)ConsolidationChangeKind.WorkingPromoted],
            WorkingDropped = counts[(int)ConsolidationChangeKind.WorkingDropped],
            Merged = counts[(int)ConsolidationChangeKind.Merged],
            Promoted = counts[(int)ConsolidationChangeKind.Promoted],
            Forgotten = counts[(int)ConsolidationChangeKind.Forgotten],
            Skipped = skipped,
            Kept = kept,
            Duration = _time.GetElapsedTime(started),
        };
        Record(report, counts);
        return report;
    }

    private void Record(ConsolidationReport report, int[] counts)
    {
        _instruments.Consolidations.Add(1);
        _instruments.ConsolidationDuration.Record(report.Duration.TotalMilliseconds);
        foreach (var kind in Enum.GetValues<ConsolidationChangeKind>())
        {
            if (counts[(int)kind] > 0)
            {
                _instruments.ConsolidationChanges.Add(counts[(int)kind], new KeyValuePair<string, object?>("kind", KindName(kind)));
            }
        }

        _instruments.Forgotten.Add(report.Forgotten + report.Expired + report.WorkingDropped + report.Merged);
        Log.Consolidated(
            _logger,
            report.AgentId,
            report.Duration.TotalMilliseconds,
            report.WorkingPromoted,
            report.WorkingDropped,
            report.Merged,
            report.Promoted,
            report.Forgotten,
            report.Expired,
            report.Skipped,
            report.Kept);
    }

    private static string KindName(ConsolidationChangeKind kind) => kind switch
    {
        ConsolidationChangeKind.Expired => "expired",
        ConsolidationChangeKind.WorkingPromoted => "working_promoted",
        ConsolidationChangeKind.WorkingDropped => "working_dropped",
        ConsolidationChangeKind.Merged => "merged",
        ConsolidationChangeKind.Promoted => "promoted",
        _ => "forgotten",
    };

    private static List<ConsolidationChange> NextChunk(List<ConsolidationChange> changes, int start)
    {
        var chunk = new List<ConsolidationChange>();
        var size = 0;
        for (var i = start; i < changes.Count; i++)
        {
            var cost = changes[i].Upserts.Count + changes[i].Removals.Count;
            if (chunk.Count > 0 && size + cost > ConsolidationChunk)
            {
                break;
            }

            chunk.Add(changes[i]);
            size += cost;
        }

        return chunk;
    }

    /// <summary>A cluster's new semantic memory gets the chat client's generalization of its sources, when the host has a chat client.</summary>
    private async Task GeneralizeAsync(List<ConsolidationChange> changes, List<MemoryEntry> snapshot, CancellationToken cancellationToken)
    {
        if (!_generalizer.IsAvailable)
        {
            return;
        }

        var byId = snapshot.ToDictionary(m => m.Id);
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i];
            if (change.Kind != ConsolidationChangeKind.Promoted || change.Expected.Count != 0)
            {
                continue;
            }

            var created = change.Upserts[0];
            var sources = created.SourceIds.Where(byId.ContainsKey).Select(id => byId[id].Content).ToList();
            var sentence = await _generalizer.GeneralizeAsync(sources, cancellationToken).ConfigureAwait(false);
            if (sentence is not null && !string.Equals(sentence, created.Content, StringComparison.Ordinal)
                && TextRules.Utf8Length(sentence) <= _options.MaxContentBytes)
            {
                var generalized = created with { Content = sentence, Embedding = null, EmbeddingModel = null };
                changes[i] = change with { Upserts = [generalized] };
            }
        }
    }

    /// <summary>Makes one planned change if every memory it read is unchanged since; false when it was skipped.</summary>
    private bool TryApply(Mutation mutation, ConsolidationChange change)
    {
        var agent = mutation.Agent;
        var expected = new Dictionary<Guid, MemoryEntry>(change.Expected.Count);
        foreach (var memory in change.Expected)
        {
            var slot = agent.SlotOf(memory.Id);
            if (slot < 0 || agent.EntryAt(slot).Version != memory.Version)
            {
                return false;
            }

            expected[memory.Id] = memory;
        }

        // Each upsert's content identity, hashed once for the check here and the replica below.
        var identities = new ulong[change.Upserts.Count];
        for (var i = 0; i < identities.Length; i++)
        {
            var upsert = change.Upserts[i];
            identities[i] = ContentIdentity.Hash(upsert.Content);
            var slot = agent.SlotOfContent(upsert.Type, upsert.Content, identities[i]);
            if (slot >= 0 && agent.EntryAt(slot).Id != upsert.Id && !change.Removals.Contains(agent.EntryAt(slot).Id))
            {
                // The agent remembered the same content meanwhile.
                return false;
            }

            if (!expected.ContainsKey(upsert.Id) && agent.SlotOf(upsert.Id) >= 0)
            {
                return false;
            }

            if (!expected.ContainsKey(upsert.Id) && upsert.SourceIds.Any(source => agent.SlotOf(source) < 0))
            {
                // A new memory made from memories one of which was forgotten meanwhile: it would bring that one back.
                return false;
            }
        }

        var now = Now();
        foreach (var id in change.Removals)
        {
            agent.Remove(agent.SlotOf(id));
            mutation.Deleted(id);
        }

        for (var i = 0; i < identities.Length; i++)
        {
            var upsert = change.Upserts[i];
            if (expected.TryGetValue(upsert.Id, out var read))
            {
                var slot = agent.SlotOf(upsert.Id);
                var current = agent.EntryAt(slot);

                // Recalls count accesses and embeddings arrive without a new version: keep what they added since the plan.
                // A merge that takes a newer wording changes the content: its words, identity and embedding follow.
                var reworded = !string.Equals(upsert.Content, current.Content, StringComparison.Ordinal);
                var updated = upsert with
                {
                    AccessCount = upsert.AccessCount + (current.AccessCount - read.AccessCount),
                    LastAccessedAt = current.LastAccessedAt > upsert.LastAccessedAt ? current.LastAccessedAt : upsert.LastAccessedAt,
                    Embedding = reworded ? null : current.Embedding,
                    EmbeddingModel = reworded ? null : current.EmbeddingModel,
                    UpdatedAt = now,
                };
                TermCounts? terms = reworded || !updated.Tags.SequenceEqual(current.Tags, StringComparer.Ordinal) ? TermCounts.ForMemory(updated.Content, updated.Tags) : null;
                agent.Replace(slot, updated, reworded ? identities[i] : null, terms);
                mutation.Updated(slot, updated, current);
                if (reworded)
                {
                    mutation.Embed(updated.Id, updated.Content);
                }
            }
            else
            {
                mutation.EnsureAgent(now);
                var slot = agent.Add(upsert, identities[i], TermCounts.ForMemory(upsert.Content, upsert.Tags));
                mutation.Inserted(slot, upsert);
                if (!agent.HasUsableEmbedding(upsert))
                {
                    mutation.Embed(upsert.Id, upsert.Content);
                }
            }
        }

        return true;
    }

    private DateTimeOffset Now() => TimeRules.Normalize(_time.GetUtcNow());
}
