using System.Numerics.Tensors;
using AgentMemory.Onnx;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace AgentMemory.Onnx.Tests;

/// <summary>The generator against values computed independently, the query prefix, truncation, batching and bad input.</summary>
[Parallelizable(ParallelScope.None)]
public sealed class OnnxEmbeddingGeneratorTests
{
    private static readonly EmbeddingGenerationOptions AsQuery = new() { AdditionalProperties = new() { [EmbeddingPurpose.PropertyName] = EmbeddingPurpose.Query } };

    private OnnxEmbeddingGenerator _arctic = null!;
    private OnnxEmbeddingGenerator _miniLm = null!;

    [OneTimeSetUp]
    public async Task LoadModelsAsync()
    {
        _arctic = new OnnxEmbeddingGenerator();
        _miniLm = new OnnxEmbeddingGenerator(new OnnxEmbeddingOptions { Model = OnnxEmbeddingModel.MiniLM });
        await Task.WhenAll(_arctic.WhenLoaded, _miniLm.WhenLoaded);
    }

    [OneTimeTearDown]
    public void Dispose()
    {
        _arctic.Dispose();
        _miniLm.Dispose();
    }

    [Test]
    public async Task MiniLmAgreesWithSentenceTransformers()
    {
        // all-MiniLM-L6-v2 in sentence-transformers (Python) gives these two sentences a cosine of 0.755.
        var vectors = await _miniLm.GenerateAsync(["A man is eating food.", "A man is eating a piece of bread."]);
        Assert.That(Cosine(vectors[0], vectors[1]), Is.EqualTo(0.755).Within(0.01));
        Assert.That(TensorPrimitives.Norm(vectors[0].Vector.Span), Is.EqualTo(1f).Within(1e-4f), "unit length");
        Assert.That(vectors[0].Vector.Length, Is.EqualTo(384));
        Assert.That(vectors[0].ModelId, Is.EqualTo("all-MiniLM-L6-v2/384"));
    }

    [Test]
    public async Task RelatedSentencesAreCloserThanUnrelatedOnes()
    {
        var vectors = await _arctic.GenerateAsync(["The customer cannot log in since the password expired", "Users locked out after a credential reset", "The invoice for March was paid by bank transfer"]);
        Assert.That(Cosine(vectors[0], vectors[1]), Is.GreaterThan(Cosine(vectors[0], vectors[2]) + 0.05));
    }

    [Test]
    public async Task TheQueryPrefixGoesBeforeQueriesOnly()
    {
        const string Text = "what does the customer prefer?";
        var asQuery = (await _arctic.GenerateAsync([Text], AsQuery))[0];
        var asMemory = (await _arctic.GenerateAsync([Text]))[0];
        var prefixedMemory = (await _arctic.GenerateAsync([OnnxEmbeddingModel.ArcticXs.QueryPrefix + Text]))[0];
        Assert.That(asQuery.Vector.ToArray(), Is.EqualTo(prefixedMemory.Vector.ToArray()).Within(1e-5f), "a query is embedded with the prefix");
        Assert.That(Cosine(asQuery, asMemory), Is.LessThan(0.99), "a memory is embedded without it");
        var miniQuery = (await _miniLm.GenerateAsync([Text], AsQuery))[0];
        var miniMemory = (await _miniLm.GenerateAsync([Text]))[0];
        Assert.That(miniQuery.Vector.ToArray(), Is.EqualTo(miniMemory.Vector.ToArray()).Within(1e-5f), "MiniLM has no prefix");
    }

    [Test]
    public async Task ALongTextIsCutAtTheTokenLimit()
    {
        var words = string.Join(' ', Enumerable.Range(0, 400).Select(i => $"word{i % 50}"));
        var vectors = await _arctic.GenerateAsync([words + " and then something entirely different about invoices", words + " followed by a story about a cat"]);
        Assert.That(vectors[0].Vector.ToArray(), Is.EqualTo(vectors[1].Vector.ToArray()).Within(1e-5f), "what follows the first 256 tokens is not read");
    }

    [Test]
    public async Task ABatchGivesEachTextTheVectorItGetsAlone()
    {
        string[] texts = ["short", "a somewhat longer sentence about the weather in Paris", "medium length text here", "x y"];
        using var batched = new OnnxEmbeddingGenerator(new OnnxEmbeddingOptions { BatchSize = 3 });
        var together = await batched.GenerateAsync(texts);
        for (var i = 0; i < texts.Length; i++)
        {
            var alone = (await _arctic.GenerateAsync([texts[i]]))[0];
            Assert.That(together[i].Vector.ToArray(), Is.EqualTo(alone.Vector.ToArray()).Within(1e-4f), texts[i]);
        }
    }

    [Test]
    public void EmptyInputIsRefused()
    {
        var refused = Assert.ThrowsAsync<ArgumentException>(() => _arctic.GenerateAsync(["fine", "  "]));
        Assert.That(refused!.Message, Does.Contain("Text 1 of 2 is empty"));
    }

    [Test]
    public void OptionsOutOfRangeAreRefusedNamingTheOption()
    {
        var refused = Assert.Throws<ArgumentOutOfRangeException>(() => new OnnxEmbeddingGenerator(new OnnxEmbeddingOptions { MaxTokens = 4 }));
        Assert.That(refused!.ParamName, Is.EqualTo("options.MaxTokens"));
        var services = new ServiceCollection();
        var atRegistration = Assert.Throws<ArgumentOutOfRangeException>(() => services.AddAgentMemory().UseOnnxEmbeddings(o => o.BatchSize = 0));
        Assert.That(atRegistration!.ParamName, Is.EqualTo("options.BatchSize"), "refused where it is written, not when the host starts");
        Assert.Throws<FileNotFoundException>(() => OnnxEmbeddingModel.FromFiles("mine", "/nonexistent/model.onnx", "/nonexistent/vocab.txt", OnnxPooling.Mean));
    }

    private static double Cosine(Embedding<float> a, Embedding<float> b) => TensorPrimitives.CosineSimilarity(a.Vector.Span, b.Vector.Span);
}
