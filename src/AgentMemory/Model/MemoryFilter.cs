namespace AgentMemory;

/// <summary>Which memories a list or a recall considers. Every condition that is set must hold.</summary>
public class MemoryFilter
{
    /// <summary>Only memories of these types (all types when <see langword="null"/> or empty).</summary>
    public IReadOnlyCollection<MemoryType>? Types { get; init; }

    /// <summary>Only memories that carry every one of these tags (compared case-insensitively).</summary>
    public IReadOnlyCollection<string>? Tags { get; init; }

    /// <summary>Only memories created at or after this time.</summary>
    public DateTimeOffset? CreatedAfter { get; init; }

    /// <summary>Only memories created before this time.</summary>
    public DateTimeOffset? CreatedBefore { get; init; }

    /// <summary>Only memories of at least this importance.</summary>
    public Importance? MinImportance { get; init; }

    /// <summary>Only trusted memories (<see cref="MemoryEntry.Trusted"/>): nothing a user, a model or a tool said.</summary>
    public bool TrustedOnly { get; init; }
}
