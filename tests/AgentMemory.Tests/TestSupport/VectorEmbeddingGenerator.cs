using Microsoft.Extensions.AI;

namespace AgentMemory.Tests.TestSupport;

/// <summary>
/// An embedding generator whose vectors a test chooses per content (64 dimensions); other content is embedded by
/// hashing, far from every chosen vector.
/// </summary>
public sealed class VectorEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    public const int Dimensions = 64;

    private readonly HashingEmbeddingGenerator _fallback = new(Dimensions);
    private readonly Dictionary<string, float[]> _vectors = new(StringComparer.Ordinal);

    /// <summary>A vector with the given components (axis, value), the rest zero.</summary>
    public static float[] Vector(params (int Axis, float Value)[] components)
    {
        var vector = new float[Dimensions];
        foreach (var (axis, value) in components)
        {
            vector[axis] = value;
        }

        return vector;
    }

    public VectorEmbeddingGenerator Set(string content, float[] vector)
    {
        _vectors[content] = vector;
        return this;
    }

    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            if (!_vectors.TryGetValue(value, out var vector))
            {
                vector = new float[Dimensions];
                _fallback.Embed(value, vector);
            }

            result.Add(new Embedding<float>(vector.ToArray()));
        }

        return Task.FromResult(result);
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("vectors", null, "test-vectors", Dimensions) : null;

    public void Dispose()
    {
    }
}
