namespace AgentMemory.Shared;

/// <summary>
/// What the memories read by one query share: one string per distinct tag and embedding model (rows repeat them), and
/// embeddings decoded into parts of arrays shared by the next 64 or so, so the memories of a load are fewer objects
/// for the collector to trace and copy. (An array of embeddings lives as long as any memory that uses it.) One per
/// query; not thread-safe. Shared source, compiled into each store package.
/// </summary>
internal sealed class LoadedRows
{
    /// <summary>Distinct tags remembered for sharing; past this, further tags are kept as read.</summary>
    private const int SharedTagsLimit = 4_096;

    /// <summary>
    /// Floats in one array of embeddings: 24,576 (96 KiB, 64 embeddings of 384 values). Above the large object
    /// threshold (85,000 bytes), so a load's embeddings neither fill the young generation nor get copied by the
    /// collector; small enough that a few memories outliving their neighbours keep little else alive.
    /// </summary>
    private const int SlabFloats = 24_576;

    private readonly Dictionary<string, string> _tags = new(StringComparer.Ordinal);
    private float[] _slab = [];
    private int _slabUsed;
    private string? _model;

    /// <summary>The model name, the same string as the previous row's when equal.</summary>
    public string Model(string model) => string.Equals(model, _model, StringComparison.Ordinal) ? _model! : _model = model;

    /// <summary>The tags, each the same string as an equal tag read before (in place); the shared empty array when none.</summary>
    public string[] Tags(string[] tags)
    {
        for (var i = 0; i < tags.Length; i++)
        {
            if (_tags.TryGetValue(tags[i], out var shared))
            {
                tags[i] = shared;
            }
            else if (_tags.Count < SharedTagsLimit)
            {
                _tags.Add(tags[i], tags[i]);
            }
        }

        return tags.Length == 0 ? [] : tags;
    }

    /// <summary>Decodes an embedding's bytes into the shared array.</summary>
    public ReadOnlyMemory<float> Embedding(ReadOnlySpan<byte> bytes)
    {
        var count = EmbeddingBytes.FloatCount(bytes);
        if (_slab.Length - _slabUsed < count)
        {
            _slab = GC.AllocateUninitializedArray<float>(Math.Max(count, SlabFloats));
            _slabUsed = 0;
        }

        var vector = new Memory<float>(_slab, _slabUsed, count);
        EmbeddingBytes.Decode(bytes, vector.Span);
        _slabUsed += count;
        return vector;
    }
}
