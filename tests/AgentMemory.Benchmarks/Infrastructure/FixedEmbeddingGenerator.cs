using Microsoft.Extensions.AI;

namespace AgentMemory.Benchmarks.Infrastructure;

/// <summary>
/// Hands out embeddings computed before the timed part (by the built-in generator), so a persistence benchmark
/// measures writing, not embedding. Unknown text is embedded on the spot.
/// </summary>
internal sealed class FixedEmbeddingGenerator(IReadOnlyDictionary<string, float[]> vectors) : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly HashingEmbeddingGenerator _fallback = new();
    private int _calls;

    /// <summary>How many times the generator was called (each call one batch).</summary>
    public int Calls => Volatile.Read(ref _calls);

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            if (!vectors.TryGetValue(value, out var vector))
            {
                vector = new float[_fallback.Dimensions];
                _fallback.Embed(value, vector);
            }

            result.Add(new Embedding<float>(vector));
        }

        return Task.FromResult(result);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("bench-fixed", null, "hashing", 384) : null;

    public void Dispose()
    {
    }
}
