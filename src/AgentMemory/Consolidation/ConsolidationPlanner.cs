using AgentMemory.Storage;
using System.Numerics.Tensors;
using AgentMemory.Retrieval;
using AgentMemory.Validation;

namespace AgentMemory.Consolidation;

/// <summary>
/// Plans one consolidation run of one agent from a snapshot of its memories, without touching them: expired memories
/// go, working memory is brought back to capacity, near-duplicates merge, important or often-used episodic memories
/// and clusters of similar ones become semantic, and weak memories of a type over capacity are forgotten. The plan is
/// deterministic for a given snapshot and time, and a plan made right after its own changes were applied is empty.
/// </summary>
internal sealed class ConsolidationPlanner
{
    /// <summary>The tag that protects a memory from being forgotten, dropped or merged away.</summary>
    public const string PinnedTag = "pinned";

    private readonly ConsolidationOptions _options;
    private readonly DateTimeOffset _now;
    private readonly Dictionary<Guid, MemoryEntry> _live = [];
    private readonly Dictionary<Guid, float[]?> _vectors = [];
    private readonly Dictionary<(MemoryType, string), Guid> _byContent = [];

    /// <summary>Each memory's <see cref="FactSignature"/>, computed once per content: a run compares many pairs.</summary>
    private readonly Dictionary<Guid, (string Content, string Signature)> _signatures = [];
    private readonly List<ConsolidationChange> _changes = [];

    private ConsolidationPlanner(ConsolidationOptions options, DateTimeOffset now)
    {
        _options = options;
        _now = now;
    }

    /// <summary>Plans the run.</summary>
    /// <param name="options">The steps' options.</param>
    /// <param name="memories">The agent's memories.</param>
    /// <param name="comparable">Whether a memory's embedding may be compared with the others' (same model and dimension).</param>
    /// <param name="now">The time of the run.</param>
    public static List<ConsolidationChange> Plan(ConsolidationOptions options, IEnumerable<MemoryEntry> memories, Func<MemoryEntry, bool> comparable, DateTimeOffset now)
    {
        var planner = new ConsolidationPlanner(options, now);
        foreach (var memory in memories)
        {
            planner._live[memory.Id] = memory;
            planner._vectors[memory.Id] = comparable(memory) ? Normalized(memory.Embedding!.Value.Span) : null;
            planner._byContent.TryAdd((memory.Type, ContentIdentity.Normalize(memory.Content)), memory.Id);
        }

        planner.RemoveExpired();
        planner.LimitWorkingMemory();
        if (options.MergeDuplicates)
        {
            planner.MergeDuplicates(Enum.GetValues<MemoryType>());
        }

        planner.PromoteEpisodic();
        planner.PromoteClusters();
        if (options.MergeDuplicates)
        {
            // Promotion only adds semantic memories: they may duplicate each other now.
            planner.MergeDuplicates([MemoryType.Semantic]);
        }

        planner.Forget();
        return planner._changes;
    }

    /// <summary>Whether a memory is protected from being forgotten, dropped or merged into another.</summary>
    public static bool IsProtected(MemoryEntry memory) =>
        memory.Importance >= Importance.Critical || memory.Tags.Contains(PinnedTag, StringComparer.OrdinalIgnoreCase);

    private void RemoveExpired()
    {
        foreach (var memory in Ordered(_live.Values.Where(m => m.IsExpired(_now))))
        {
            Remove(ConsolidationChangeKind.Expired, memory);
        }
    }

    private void LimitWorkingMemory()
    {
        var working = _live.Values
            .Where(m => m.Type == MemoryType.Working)
            .OrderByDescending(m => m.CreatedAt)
            .ThenBy(m => m.Id)
            .Skip(_options.WorkingCapacity)
            .ToList();
        foreach (var memory in working)
        {
            if (memory.Importance >= _options.WorkingPromotionImportance || IsProtected(memory))
            {
                ChangeType(ConsolidationChangeKind.WorkingPromoted, memory, MemoryType.Episodic);
            }
            else
            {
                Remove(ConsolidationChangeKind.WorkingDropped, memory);
            }
        }
    }

    private void MergeDuplicates(IEnumerable<MemoryType> types)
    {
        foreach (var type in types)
        {
            var candidates = Ranked(_live.Values.Where(m => m.Type == type && _vectors[m.Id] is not null)).ToList();
            var absorbed = new HashSet<Guid>();
            for (var i = 0; i < candidates.Count; i++)
            {
                var survivor = candidates[i];
                if (absorbed.Contains(survivor.Id))
                {
                    continue;
                }

                var group = new List<MemoryEntry>();
                var vector = _vectors[survivor.Id]!;
                for (var j = i + 1; j < candidates.Count; j++)
                {
                    var other = candidates[j];
                    if (!absorbed.Contains(other.Id) && !IsProtectedFromMerge(other)
                        && TensorPrimitives.Dot<float>(vector, _vectors[other.Id]!) >= _options.DuplicateSimilarity
                        && string.Equals(Signature(survivor), Signature(other), StringComparison.Ordinal))
                    {
                        group.Add(other);
                        absorbed.Add(other.Id);
                    }
                }

                if (group.Count > 0)
                {
                    Absorb(ConsolidationChangeKind.Merged, _live[survivor.Id], group, group.Count);
                }
            }
        }
    }

    private void PromoteEpisodic()
    {
        var candidates = Ranked(_live.Values.Where(m => m.Type == MemoryType.Episodic
            && (m.AccessCount >= _options.PromotionAccessCount || m.Importance >= _options.PromotionImportance))).ToList();
        foreach (var memory in candidates)
        {
            if (_live.TryGetValue(memory.Id, out var current))
            {
                ChangeType(ConsolidationChangeKind.Promoted, current, MemoryType.Semantic);
            }
        }
    }

    private void PromoteClusters()
    {
        var sources = new HashSet<Guid>(_live.Values.Where(m => m.Type == MemoryType.Semantic).SelectMany(m => m.SourceIds));
        var candidates = Ranked(_live.Values.Where(m => m.Type == MemoryType.Episodic && _vectors[m.Id] is not null && !sources.Contains(m.Id))).ToList();
        var assigned = new HashSet<Guid>();
        foreach (var seed in candidates)
        {
            if (assigned.Contains(seed.Id))
            {
                continue;
            }

            var vector = _vectors[seed.Id]!;
            var cluster = new List<MemoryEntry> { seed };
            foreach (var other in candidates)
            {
                if (other.Id != seed.Id && !assigned.Contains(other.Id) && TensorPrimitives.Dot<float>(vector, _vectors[other.Id]!) >= _options.ClusterSimilarity)
                {
                    cluster.Add(other);
                }
            }

            if (cluster.Count < _options.ClusterMinSize)
            {
                continue;
            }

            foreach (var member in cluster)
            {
                assigned.Add(member.Id);
            }

            CreateSemantic(cluster);
        }
    }

    private void Forget()
    {
        foreach (var type in new[] { MemoryType.Episodic, MemoryType.Semantic, MemoryType.Procedural })
        {
            var ofType = _live.Values.Where(m => m.Type == type).ToList();
            var excess = ofType.Count - _options.CapacityOf(type);
            if (excess <= 0)
            {
                continue;
            }

            var weakest = ofType
                .Where(m => !IsProtected(m))
                .Select(m => (Memory: m, Retention: Retention.Of(m, _now, _options.BaseStrengthDays)))
                .Where(x => x.Retention < _options.RetentionThreshold)
                .OrderBy(x => x.Retention)
                .ThenBy(x => x.Memory.Id)
                .Take(excess)
                .ToList();
            foreach (var (memory, _) in weakest)
            {
                Remove(ConsolidationChangeKind.Forgotten, memory);
            }
        }
    }

    /// <summary>A memory becomes another type; when that type already holds the same content, the two become one.</summary>
    private void ChangeType(ConsolidationChangeKind kind, MemoryEntry memory, MemoryType type)
    {
        var key = (type, ContentIdentity.Normalize(memory.Content));
        if (_byContent.TryGetValue(key, out var existingId) && _live.TryGetValue(existingId, out var existing))
        {
            Absorb(kind, existing, [memory], 1);
            return;
        }

        var changed = Next(memory) with { Type = type };
        _byContent.Remove((memory.Type, key.Item2));
        _byContent[key] = memory.Id;
        _changes.Add(new ConsolidationChange(kind, [memory], [changed], []));
        _live[memory.Id] = changed;
    }

    /// <summary>
    /// Merges memories into a survivor that gains the rest: tags united, access counts summed, the highest importance,
    /// the latest access, the earliest creation, the absorbed ids as sources. A merge of duplicates takes the newest
    /// wording among them (a later memory restates the fact as it is now); other kinds keep the survivor's content.
    /// </summary>
    private void Absorb(ConsolidationChangeKind kind, MemoryEntry survivor, IReadOnlyList<MemoryEntry> absorbed, int count)
    {
        var all = absorbed.Prepend(survivor).ToList();
        var newest = survivor;
        foreach (var memory in absorbed)
        {
            if (memory.CreatedAt > newest.CreatedAt)
            {
                newest = memory;
            }
        }

        var content = kind == ConsolidationChangeKind.Merged ? newest.Content : survivor.Content;
        var tags = all.SelectMany(m => m.Tags).Distinct(StringComparer.Ordinal).Take(MemoryValidator.MaxTags).ToList();
        var sources = survivor.SourceIds.Concat(absorbed.SelectMany(m => m.SourceIds.Append(m.Id))).Distinct().ToList();
        var merged = Next(survivor) with
        {
            Content = content,
            Tags = tags,
            SourceIds = sources,
            AccessCount = all.Sum(m => m.AccessCount),
            Importance = all.Max(m => m.Importance),
            Utility = MemoryPatch.ClampUtility(all.Max(m => m.Utility)),
            LastAccessedAt = all.Max(m => m.LastAccessedAt),
            CreatedAt = all.Min(m => m.CreatedAt),
            ExpiresAt = all.Any(m => m.ExpiresAt is null) ? null : all.Max(m => m.ExpiresAt),
            Trusted = all.All(static m => m.Trusted),
        };

        foreach (var memory in absorbed)
        {
            _live.Remove(memory.Id);
            _byContent.Remove((memory.Type, ContentIdentity.Normalize(memory.Content)));
        }

        if (!ReferenceEquals(content, survivor.Content))
        {
            _byContent.Remove((survivor.Type, ContentIdentity.Normalize(survivor.Content)));
            _byContent[(survivor.Type, ContentIdentity.Normalize(content))] = survivor.Id;
        }

        _live[survivor.Id] = merged;
        _changes.Add(new ConsolidationChange(kind, all, [merged], [.. absorbed.Select(m => m.Id)], count));
    }

    /// <summary>A new semantic memory for a cluster: the content of its most central member, its sources listed.</summary>
    private void CreateSemantic(List<MemoryEntry> cluster)
    {
        var central = cluster
            .Select(m => (Memory: m, Centrality: cluster.Sum(o => TensorPrimitives.Dot<float>(_vectors[m.Id]!, _vectors[o.Id]!))))
            .OrderByDescending(x => x.Centrality)
            .ThenBy(x => x.Memory.Id)
            .First().Memory;

        var key = (MemoryType.Semantic, ContentIdentity.Normalize(central.Content));
        if (_byContent.TryGetValue(key, out var existingId) && _live.TryGetValue(existingId, out var existing))
        {
            // The knowledge is already there: it gains these sources (so they are not clustered again).
            var known = Next(existing) with
            {
                SourceIds = [.. existing.SourceIds.Concat(cluster.Select(m => m.Id)).Distinct()],
                Trusted = existing.Trusted && cluster.All(static m => m.Trusted),
            };
            _live[existing.Id] = known;
            _changes.Add(new ConsolidationChange(ConsolidationChangeKind.Promoted, [existing], [known], []));
            return;
        }

        var created = new MemoryEntry
        {
            Id = MemoryIds.NewVersion7(_now),
            AgentId = central.AgentId,
            Type = MemoryType.Semantic,
            Content = central.Content,
            Metadata = MemoryJson.EmptyObject,
            Importance = cluster.Max(m => m.Importance),
            Valence = Math.Clamp(cluster.Average(m => m.Valence), -1, 1),
            Tags = [.. cluster.SelectMany(m => m.Tags).Distinct(StringComparer.Ordinal).Take(MemoryValidator.MaxTags)],
            CreatedAt = _now,
            // Consolidating is rehearsal: the new knowledge starts fresh, so it is not forgotten by the run that made it.
            LastAccessedAt = _now,
            UpdatedAt = _now,
            Utility = MemoryPatch.ClampUtility(cluster.Average(m => m.Utility)),
            SourceIds = [.. cluster.Select(m => m.Id)],
            Source = MemorySource.Consolidation,
            Trusted = cluster.All(static m => m.Trusted),
            Embedding = central.Embedding,
            EmbeddingModel = central.EmbeddingModel,
        };
        _live[created.Id] = created;
        _vectors[created.Id] = _vectors[central.Id];
        _byContent[key] = created.Id;
        _changes.Add(new ConsolidationChange(ConsolidationChangeKind.Promoted, [], [created], []));
    }

    private void Remove(ConsolidationChangeKind kind, MemoryEntry memory)
    {
        _live.Remove(memory.Id);
        _byContent.Remove((memory.Type, ContentIdentity.Normalize(memory.Content)));
        _changes.Add(new ConsolidationChange(kind, [memory], [], [memory.Id]));
    }

    private MemoryEntry Next(MemoryEntry memory) => memory with { Version = memory.Version + 1, UpdatedAt = _now };

    /// <summary>Pinned memories keep their own content: they may absorb others, never be absorbed.</summary>
    private string Signature(MemoryEntry memory)
    {
        if (!_signatures.TryGetValue(memory.Id, out var known) || !ReferenceEquals(known.Content, memory.Content))
        {
            known = (memory.Content, FactSignature.Of(memory.Content));
            _signatures[memory.Id] = known;
        }

        return known.Signature;
    }

    private static bool IsProtectedFromMerge(MemoryEntry memory) => memory.Tags.Contains(PinnedTag, StringComparer.OrdinalIgnoreCase);

    /// <summary>Most important first, then most accessed, then oldest: the order in which memories survive merges and seed clusters.</summary>
    private static IEnumerable<MemoryEntry> Ranked(IEnumerable<MemoryEntry> memories) =>
        memories.OrderByDescending(m => m.Importance).ThenByDescending(m => m.AccessCount).ThenBy(m => m.CreatedAt).ThenBy(m => m.Id);

    private static IEnumerable<MemoryEntry> Ordered(IEnumerable<MemoryEntry> memories) => memories.OrderBy(m => m.Id);

    private static float[]? Normalized(ReadOnlySpan<float> vector)
    {
        var copy = new float[vector.Length];
        return UnitVectors.TryNormalize(vector, copy) ? copy : null;
    }
}
