using AgentMemory.Onnx;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the ONNX embedding generator on an <see cref="IAgentMemoryBuilder"/>.</summary>
public static class OnnxAgentMemoryBuilderExtensions
{
    /// <summary>
    /// Embeds memories and recall queries with a local sentence-embedding model (snowflake-arctic-embed-xs unless
    /// <paramref name="configure"/> picks another), in place of the built-in word-hashing embedder. Memories embedded by
    /// another model before are embedded again in the background.
    /// </summary>
    /// <param name="builder">The AgentMemory builder.</param>
    /// <param name="configure">Optional: the model, token limit, batch size, threads, concurrent inferences.</param>
    /// <returns>The builder, for chaining.</returns>
    public static IAgentMemoryBuilder UseOnnxEmbeddings(this IAgentMemoryBuilder builder, Action<OnnxEmbeddingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new OnnxEmbeddingOptions();
        configure?.Invoke(options);

        // Checked here, so a bad option fails where it is written; the model loads when the container first builds it.
        var validated = new OnnxEmbeddingOptions
        {
            Model = options.Model,
            MaxTokens = options.MaxTokens,
            BatchSize = options.BatchSize,
            IntraOpThreads = options.IntraOpThreads,
            MaxConcurrentInferences = options.MaxConcurrentInferences,
        };
        builder.Services.Replace(ServiceDescriptor.Singleton<IEmbeddingGenerator<string, Embedding<float>>>(_ => new OnnxEmbeddingGenerator(validated)));
        return builder;
    }
}
