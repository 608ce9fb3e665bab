using AgentMemory.Onnx;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMemory.Benchmarks.Infrastructure;

/// <summary>The embedder a benchmark runs with (<c>--embedder</c>): the built-in word hashing, or a local ONNX model.</summary>
internal static class BenchmarkEmbedders
{
    public static void Use(IAgentMemoryBuilder memory, string embedder)
    {
        switch (embedder)
        {
            case "onnx":
                memory.UseOnnxEmbeddings();
                break;
            case "onnx-minilm":
                memory.UseOnnxEmbeddings(o => o.Model = OnnxEmbeddingModel.MiniLM);
                break;
        }
    }

    /// <summary>The generator that embeds recall queries on the host: the registered one, or the built-in.</summary>
    public static IEmbeddingGenerator<string, Embedding<float>> QueryGenerator(IServiceProvider services) =>
        services.GetService<IEmbeddingGenerator<string, Embedding<float>>>() ?? new HashingEmbeddingGenerator();
}
