namespace AgentMemory.Retrieval;

/// <summary>A <see cref="MemoryFilter"/> in the form a scan checks cheaply, plus the expiry check.</summary>
internal sealed class CompiledFilter
{
    private CompiledFilter()
    {
    }

    /// <summary>Bit i set when type i is allowed.</summary>
    public int TypeMask { get; private init; } = -1;

    public byte MinImportance { get; private init; }

    public long CreatedFromTicks { get; private init; } = long.MinValue;

    public long CreatedBeforeTicks { get; private init; } = long.MaxValue;

    public string[]? Tags { get; private init; }

    public long NowTicks { get; private init; }

    public bool TrustedOnly { get; private init; }

    public static CompiledFilter Create(MemoryFilter? filter, DateTimeOffset now)
    {
        if (filter is null)
        {
            return new CompiledFilter { NowTicks = now.UtcTicks };
        }

        var mask = -1;
        if (filter.Types is { Count: > 0 } types)
        {
            mask = 0;
            foreach (var type in types)
            {
                mask |= 1 << (int)type;
            }
        }

        return new CompiledFilter
        {
            TypeMask = mask,
            MinImportance = (byte)(filter.MinImportance ?? Importance.Low),
            // Bounds at the precision times are stored with, so a time used for both compares as equal.
            CreatedFromTicks = filter.CreatedAfter is { } after ? Validation.TimeRules.Normalize(after).UtcTicks : long.MinValue,
            CreatedBeforeTicks = filter.CreatedBefore is { } before ? Validation.TimeRules.Normalize(before).UtcTicks : long.MaxValue,
            Tags = filter.Tags is { Count: > 0 } tags ? [.. tags.Select(static t => t.Trim().ToLowerInvariant()).Distinct(StringComparer.Ordinal)] : null,
            NowTicks = now.UtcTicks,
            TrustedOnly = filter.TrustedOnly,
        };
    }

    public static bool HasAllTags(MemoryEntry entry, string[] tags)
    {
        foreach (var tag in tags)
        {
            var found = false;
            var own = entry.Tags;
            for (var i = 0; i < own.Count; i++)
            {
                if (string.Equals(own[i], tag, StringComparison.Ordinal))
                {
                    found = true;
                    break;
                }
            }

            if (!found)
            {
                return false;
            }
        }

        return true;
    }
}
