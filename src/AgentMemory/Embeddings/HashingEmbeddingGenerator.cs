using System.Numerics.Tensors;
using Microsoft.Extensions.AI;
using AgentMemory.Retrieval;

namespace AgentMemory;

/// <summary>
/// The built-in embedding: deterministic, dependency-free and offline. Word unigrams and bigrams (stopwords
/// removed, lightly stemmed) and character 3- and 4-grams are feature-hashed into a fixed number of signed
/// dimensions with sublinear term weights, then L2-normalized. Texts that share words, stems or word pieces land
/// close; unrelated texts land near orthogonal. Used when the host registers no
/// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>.
/// </summary>
public sealed class HashingEmbeddingGenerator : IEmbeddingGenerator<string, Embedding<float>>
{
    /// <summary>The provider name reported in metadata; part of <see cref="ModelId"/>.</summary>
    public const string ProviderName = "agentmemory-hashing";

    private const float UnigramWeight = 1.0f;
    private const float BigramWeight = 0.6f;
    private const float CharGramWeight = 0.2f;

    /// <summary>The largest feature table a thread keeps for its next text (a few pages of text; a sentence has some hundred features).</summary>
    private const int MaxCachedFeatures = 16_384;

    [ThreadStatic]
    private static Dictionary<ulong, Feature>? t_features;

    private readonly EmbeddingGeneratorMetadata _metadata;

    /// <summary>Creates the generator.</summary>
    /// <param name="dimensions">The vector length, 16 to 4,096; 384 by default.</param>
    public HashingEmbeddingGenerator(int dimensions = 384)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(dimensions, 16);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(dimensions, 4096);
        Dimensions = dimensions;
        ModelId = $"hashing-v1-{dimensions}";
        _metadata = new EmbeddingGeneratorMetadata(ProviderName, defaultModelId: ModelId, defaultModelDimensions: dimensions);
    }

    /// <summary>The vector length.</summary>
    public int Dimensions { get; }

    /// <summary>The model id stored with each embedding it produces.</summary>
    public string ModelId { get; }

    /// <inheritdoc />
    public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values,
        EmbeddingGenerationOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        var result = new GeneratedEmbeddings<Embedding<float>>();
        foreach (var value in values)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var vector = new float[Dimensions];
            Embed(value ?? string.Empty, vector);
            result.Add(new Embedding<float>(vector) { ModelId = ModelId, CreatedAt = null });
        }

        return Task.FromResult(result);
    }

    /// <summary>Embeds one text into <paramref name="destination"/> (length <see cref="Dimensions"/>), synchronously.</summary>
    /// <param name="text">The text.</param>
    /// <param name="destination">Receives the L2-normalized vector (all zeros when the text has no terms).</param>
    public void Embed(string text, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(text);
        CheckLength(destination, nameof(destination));
        var features = Features(text, termWeight: null);
        Write(features, destination, weighted: false);
        Return(features);
    }

    /// <summary>
    /// Embeds a query twice from one pass over its words: plainly, and with a weight per word (its term, as
    /// <see cref="Tokenizer.Term(ReadOnlySpan{char})"/> gives it), where each feature of a word counts in proportion
    /// to the word's weight (a bigram by the geometric mean of its two words) and a word of weight 0 adds nothing. A
    /// recall leans on the weighted vector to make the words that tell memories apart dominate its direction.
    /// </summary>
    internal void Embed(string text, Span<float> weighted, Span<float> plain, Func<string, float> termWeight)
    {
        ArgumentNullException.ThrowIfNull(text);
        CheckLength(weighted, nameof(weighted));
        CheckLength(plain, nameof(plain));
        var features = Features(text, termWeight);
        Write(features, weighted, weighted: true);
        Write(features, plain, weighted: false);
        Return(features);
    }

    /// <summary>
    /// A text's features, in a table the thread reuses (see <see cref="Return"/>): a new table grown for each text was
    /// most of what embedding a memory allocated (some kilobytes for a sentence), and every memory is embedded.
    /// </summary>
    private static Dictionary<ulong, Feature> Features(string text, Func<string, float>? termWeight)
    {
        var features = t_features ?? [];
        t_features = null;
        var state = new FeatureState(features, termWeight);
        Tokenizer.ForEachWord(text.AsSpan(), ref state, static (word, ref s) => s.AddWord(word));
        return features;
    }

    /// <summary>Keeps a text's feature table for the thread's next text, unless a very long text grew it large.</summary>
    private static void Return(Dictionary<ulong, Feature> features)
    {
        if (features.Count <= MaxCachedFeatures)
        {
            features.Clear();
            t_features = features;
        }
    }

    private static void Write(Dictionary<ulong, Feature> features, Span<float> destination, bool weighted)
    {
        destination.Clear();
        foreach (var (hash, feature) in features)
        {
            var (count, weight) = weighted ? (feature.WeightedCount, feature.WeightedWeight) : (feature.Count, feature.Weight);
            if (count <= 0)
            {
                continue;
            }

            var index = (int)(hash % (ulong)destination.Length);
            var sign = (hash >> 63) == 0 ? 1f : -1f;
            var tf = count >= 1f ? 1f + MathF.Log(count) : count;
            destination[index] += sign * tf * weight;
        }

        var norm = TensorPrimitives.Norm(destination);
        if (norm > 0)
        {
            TensorPrimitives.Divide(destination, norm, destination);
        }
    }

    private void CheckLength(Span<float> destination, string name)
    {
        if (destination.Length != Dimensions)
        {
            throw new ArgumentException($"{name} must have {Dimensions} elements.", name);
        }
    }

    /// <inheritdoc />
    public object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is not null ? null
            : serviceType == typeof(EmbeddingGeneratorMetadata) ? _metadata
            : serviceType.IsInstanceOfType(this) ? this
            : null;
    }

    /// <inheritdoc />
    public void Dispose()
    {
    }

    /// <summary>How often a text produced a feature and its weight (the largest among the words that produced it), plainly and with word weights.</summary>
    private record struct Feature(float Count, float Weight, float WeightedCount, float WeightedWeight);

    private struct FeatureState(Dictionary<ulong, Feature> features, Func<string, float>? termWeight)
    {
        private string? _previous;
        private float _previousScale;

        public void AddWord(ReadOnlySpan<char> word)
        {
            var term = Tokenizer.Term(word);
            if (term is null)
            {
                return;
            }

            var scale = termWeight is null ? 1f : Math.Max(0f, termWeight(term));
            Add(Fnv.Hash(term, 0x5bd1e995), UnigramWeight, scale);
            if (_previous is not null)
            {
                Add(Fnv.Hash(term, Fnv.Hash(_previous, 0x27d4eb2d)), BigramWeight, MathF.Sqrt(scale * _previousScale));
            }

            _previous = term;
            _previousScale = scale;

            // Character n-grams of the bounded word: "<word>".
            Span<char> bounded = stackalloc char[word.Length + 2];
            bounded[0] = '<';
            word.CopyTo(bounded[1..]);
            bounded[^1] = '>';
            for (var n = 3; n <= 4; n++)
            {
                for (var i = 0; i + n <= bounded.Length; i++)
                {
                    Add(Fnv.Hash(bounded.Slice(i, n), 0x165667b1 + (ulong)n), CharGramWeight, scale);
                }
            }
        }

        private readonly void Add(ulong hash, float weight, float scale)
        {
            ref var feature = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(features, hash, out _);
            feature.Count++;
            feature.Weight = weight;
            if (weight * scale > 0)
            {
                feature.WeightedCount++;
                feature.WeightedWeight = Math.Max(feature.WeightedWeight, weight * scale);
            }
        }
    }
}
