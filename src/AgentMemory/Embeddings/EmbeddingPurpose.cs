using Microsoft.Extensions.AI;

namespace AgentMemory;

/// <summary>
/// What AgentMemory asks an embedding for, told to the registered generator in
/// <see cref="EmbeddingGenerationOptions.AdditionalProperties"/> under <see cref="PropertyName"/>: a recall query
/// (<see cref="Query"/>) or a memory to be found (<see cref="Document"/>). Models trained with a query instruction
/// (snowflake-arctic-embed, E5, BGE) embed the two differently; a generator that does not care ignores it.
/// </summary>
public static class EmbeddingPurpose
{
    /// <summary>The key in <see cref="EmbeddingGenerationOptions.AdditionalProperties"/>.</summary>
    public const string PropertyName = "agentmemory.purpose";

    /// <summary>The text is a recall query: what an agent is about to do.</summary>
    public const string Query = "query";

    /// <summary>The text is a memory's content, to be found by queries.</summary>
    public const string Document = "document";

    /// <summary>Whether the options say the texts are queries.</summary>
    /// <param name="options">The options a generator was called with.</param>
    /// <returns><see langword="true"/> when <see cref="PropertyName"/> is <see cref="Query"/>.</returns>
    public static bool IsQuery(EmbeddingGenerationOptions? options) =>
        options?.AdditionalProperties?.TryGetValue(PropertyName, out var value) == true && value is Query;

    /// <summary>New options (a generator may change what it is given) that say what the texts are for.</summary>
    internal static EmbeddingGenerationOptions For(string purpose) => new() { AdditionalProperties = new() { [PropertyName] = purpose } };
}
