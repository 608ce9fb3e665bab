namespace AgentMemory;

/// <summary>Where a memory came from: with <see cref="MemoryEntry.Trusted"/>, how far its content may be believed.</summary>
public enum MemorySource
{
    /// <summary>The host application, through the API (the default).</summary>
    Api = 0,

    /// <summary>What a user said or wrote.</summary>
    User = 1,

    /// <summary>What an assistant (a model) replied.</summary>
    Assistant = 2,

    /// <summary>What a tool returned.</summary>
    Tool = 3,

    /// <summary>Made by consolidation from other memories (as trusted as the least trusted of them).</summary>
    Consolidation = 4,

    /// <summary>Imported from elsewhere.</summary>
    Import = 5,
}
