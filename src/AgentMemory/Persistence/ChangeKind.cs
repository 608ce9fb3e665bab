namespace AgentMemory.Persistence;

/// <summary>What a <see cref="ChangeRecord"/> asks the store to do.</summary>
internal enum ChangeKind
{
    /// <summary>A memory new to the store: its first snapshot.</summary>
    Insert,

    /// <summary>A newer snapshot of a memory the store has (or will have, from an earlier record).</summary>
    Update,

    /// <summary>
    /// Snapshots of several memories of one agent whose only news is their embedding, computed in the background:
    /// written like updates, and what a memory parked for its embedding waits for (see <see cref="EmbeddingWait"/>).
    /// One record for each batch the embedder applies, not one per memory.
    /// </summary>
    EmbeddingsAttached,

    /// <summary>A memory forgotten.</summary>
    Delete,

    /// <summary>A memory's access statistics (recalled or reinforced).</summary>
    Access,

    /// <summary>The agent's state (created, learning switched, lessons learned).</summary>
    Agent,

    /// <summary>The agent forgotten with all its memories.</summary>
    EraseAgent,

    /// <summary>Deltas of the agent's learning counters.</summary>
    Counters,

    /// <summary>The agent's learning counters cleared.</summary>
    CounterReset,

    /// <summary>Not a change: completes when everything queued before it is durable.</summary>
    Flush,
}
