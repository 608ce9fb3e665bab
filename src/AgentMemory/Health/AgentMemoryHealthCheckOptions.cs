namespace AgentMemory;

/// <summary>When the memory system's health check reports <c>Degraded</c> rather than <c>Healthy</c>.</summary>
public sealed class AgentMemoryHealthCheckOptions
{
    /// <summary>How long a change may wait for the writer before the memory system is degraded; 30 seconds by default.</summary>
    public TimeSpan MaxWriterLag { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How many changes may wait for the writer before the memory system is degraded; 50,000 by default.</summary>
    public long MaxBacklog { get; set; } = 50_000;

    /// <summary>How long the store may take to answer the check before it counts as unreachable; 5 seconds by default.</summary>
    public TimeSpan StoreTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
