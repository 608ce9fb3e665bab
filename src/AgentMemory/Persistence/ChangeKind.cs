namespace AgentMemory.Persistence;

/// <summary>What a <see cref="ChangeRecord"/> asks the store to do.</summary>
internal enum ChangeKind
{
    /// <summary>A memory new to the store: its first snapshot.</summary>
    Insert,

    /// <summary>A newer snapshot of a memory the store has (or will have, from an earlier record).</summary>
    Update,

    /// <summary>A memory forgotten.</summary>
    Delete,

    /// <summary>A memory's access statistics (recalled or reinforced).</summary>
    Access,

    /// <summary>The agent's state (created, learning switched, lessons learned).</summary>
    Agent,

    /// <summary>The agent forgotten with all its memories.</summary>
    EraseAgent,

    /// <summary>Not a change: completes when everything queued before it is durable.</summary>
    Flush,
}
