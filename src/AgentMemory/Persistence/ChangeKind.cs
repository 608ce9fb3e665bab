namespace AgentMemory.Persistence;

internal enum ChangeKind
{
    Upsert,
    Delete,
    Access,
    Agent,
    DeleteAgent,

    /// <summary>Not a change: completes when everything queued before it is durable.</summary>
    Flush,
}
