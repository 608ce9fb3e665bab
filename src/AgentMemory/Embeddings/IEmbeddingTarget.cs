using AgentMemory.Persistence;

namespace AgentMemory.Embeddings;

/// <summary>Whose memories an embedding job is for: an agent's memories in this process.</summary>
internal interface IEmbeddingTarget
{
    /// <summary>Held while the job waits or runs, so the agent is not evicted before its embedding is applied.</summary>
    WritePin Pin { get; }

    /// <summary>Whether the agent left the process (evicted or erased): a failed job for it is not retried.</summary>
    bool IsRetired { get; }
}
