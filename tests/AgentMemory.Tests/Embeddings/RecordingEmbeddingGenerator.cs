using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace AgentMemory.Tests.Embeddings;

/// <summary>An embedding generator double: records each call's batch, can be made to fail or to wait, embeds by hashing.</summary>
public sealed class RecordingEmbeddingGenerator(string model = "test-model") : IEmbeddingGenerator<string, Embedding<float>>
{
    private readonly HashingEmbeddingGenerator _inner = new(64);

    public ConcurrentQueue<int> BatchSizes { get; } = new();

    public volatile bool Fail;

    /// <summary>When set, each call waits for it before answering (an embedding service slower than the writer).</summary>
    public TaskCompletionSource? Gate { get; set; }

    public int Calls => BatchSizes.Count;

    /// <summary>Calls being answered right now, and the most there ever were at once.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    private int _inFlight;
    private int _maxInFlight;

    public async Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = values.ToList();
        var now = Interlocked.Increment(ref _inFlight);
        InterlockedMax(ref _maxInFlight, now);
        try
        {
            if (Gate is { } gate)
            {
                await gate.Task.WaitAsync(cancellationToken);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }

        BatchSizes.Enqueue(list.Count);
        if (Fail)
        {
            throw new HttpRequestException("embedding service unavailable");
        }

        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in list)
        {
            var vector = new float[_inner.Dimensions];
            _inner.Embed(value, vector);
            result.Add(new Embedding<float>(vector));
        }

        return result;
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current && Interlocked.CompareExchange(ref target, value, current) is var seen && seen != current)
        {
            current = seen;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EmbeddingGeneratorMetadata) ? new EmbeddingGeneratorMetadata("recording", null, model, 64) : null;

    public void Dispose()
    {
    }
}
