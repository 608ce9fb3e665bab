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
    /// <exception cref="ArgumentOutOfRangeException">An option is out of its range (the message names it).</exception>
    public static IAgentMemoryBuilder UseOnnxEmbeddings(this IAgentMemoryBuilder builder, Action<OnnxEmbeddingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = new OnnxEmbeddingOptions();
        configure?.Invoke(options);

        // Checked here, so a bad option fails where it is written (the generator checks again when the container builds
        // it, which starts loading the model).
        OnnxEmbeddingGenerator.Validate(options);
        builder.Services.Replace(ServiceDescriptor.Singleton<IEmbeddingGenerator<string, Embedding<float>>>(_ => new OnnxEmbeddingGenerator(options)));
        return builder;
    }
}
