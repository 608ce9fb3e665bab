namespace AgentMemory;

/// <summary>What one consolidation run of one agent changed.</summary>
public sealed record ConsolidationReport
{
    /// <summary>The agent consolidated.</summary>
    public required string AgentId { get; init; }

    /// <summary>Working memories over capacity that became episodic.</summary>
    public int WorkingPromoted { get; init; }

    /// <summary>Working memories over capacity dropped as not important enough.</summary>
    public int WorkingDropped { get; init; }

    /// <summary>Near-duplicate memories merged into another (they no longer exist; the survivor lists them as sources).</summary>
    public int Merged { get; init; }

    /// <summary>Semantic memories created from episodic ones (one frequently used or important memory, or a cluster of similar ones).</summary>
    public int Promoted { get; init; }

    /// <summary>Memories forgotten because their retention fell below the threshold while their type was over capacity.</summary>
    public int Forgotten { get; init; }

    /// <summary>Memories removed because their expiry time passed.</summary>
    public int Expired { get; init; }

    /// <summary>Planned changes not made because the memory changed while the run was planning; the next run reconsiders them.</summary>
    public int Skipped { get; init; }

    /// <summary>Memories the agent has after the run.</summary>
    public int Kept { get; init; }

    /// <summary>How long the run took.</summary>
    public TimeSpan Duration { get; init; }

    /// <summary>Whether the run changed anything.</summary>
    public bool ChangedAnything => WorkingPromoted + WorkingDropped + Merged + Promoted + Forgotten + Expired > 0;
}
