using System.Numerics.Tensors;
using NUnit.Framework;

namespace AgentMemory.Tests.Embeddings;

public sealed class HashingEmbeddingGeneratorTests
{
    private readonly HashingEmbeddingGenerator _generator = new();

    [Test]
    public void IsDeterministicAndNormalized()
    {
        var first = Embed("The build failed because the cache was stale");
        var again = new HashingEmbeddingGenerator().Embed("The build failed because the cache was stale");

        Assert.That(again.ToArray(), Is.EqualTo(first.ToArray()));
        Assert.That(TensorPrimitives.Norm(first), Is.EqualTo(1f).Within(1e-5));
        Assert.That(first, Has.Length.EqualTo(384));
    }

    [Test]
    public void ATextEmbedsTheSameWhateverTheThreadEmbeddedBefore()
    {
        // The feature table is reused by the thread: nothing of an earlier, longer text may stay in it.
        const string Text = "Rotate the database credentials every month";
        float[] fresh = [];
        var thread = new Thread(() => fresh = Embed(Text));
        thread.Start();
        thread.Join();

        Embed(string.Join(' ', Enumerable.Range(0, 500).Select(i => $"word{i}")));
        var weighted = new float[_generator.Dimensions];
        var plain = new float[_generator.Dimensions];
        _generator.Embed("an unrelated query about invoices", weighted, plain, _ => 2f);

        Assert.That(Embed(Text), Is.EqualTo(fresh));
    }

    [TestCase("The build failed because the cache was stale", "Build failure caused by a stale cache", "Lunch will be served at noon in the garden")]
    [TestCase("Customer wants a refund for the duplicate charge", "Refund the customer who was charged twice", "The office printer is out of toner")]
    [TestCase("Rotate the database credentials every month", "Database credentials must be rotated monthly", "Our team offsite is in Lisbon this year")]
    [TestCase("User prefers dark mode in the editor", "The user likes the editor's dark theme", "Quarterly revenue grew by eight percent")]
    public void ParaphrasesAreCloserThanUnrelatedText(string text, string paraphrase, string unrelated)
    {
        var anchor = Embed(text);
        var near = TensorPrimitives.Dot(anchor, Embed(paraphrase));
        var far = TensorPrimitives.Dot(anchor, Embed(unrelated));

        Assert.That(near, Is.GreaterThan(far + 0.1f), $"near {near:F3} vs far {far:F3}");
    }

    [Test]
    public void AWordOfWeightZeroAddsNothingToAWeightedEmbedding()
    {
        var generator = new HashingEmbeddingGenerator();
        var weighted = new float[generator.Dimensions];
        var plain = new float[generator.Dimensions];
        var alone = new float[generator.Dimensions];
        var both = new float[generator.Dimensions];
        generator.Embed("printer toner", weighted, plain, term => term == "toner" ? 0f : 1f);
        generator.Embed("printer", alone);
        generator.Embed("printer toner", both);

        Assert.That(weighted, Is.EqualTo(alone).Within(1e-6f));
        Assert.That(weighted.Any(v => v != 0), Is.True);
        Assert.That(plain, Is.EqualTo(both), "the plain vector of the same pass is the public embedding of the text");
    }

    [Test]
    public async Task ImplementsTheMicrosoftExtensionsAiInterface()
    {
        Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>> generator = _generator;
        var result = await generator.GenerateAsync(["one", "two"]);

        Assert.That(result, Has.Count.EqualTo(2));
        Assert.That(result[0].Vector.ToArray(), Is.EqualTo(Embed("one").ToArray()));
        Assert.That(generator.GetService(typeof(Microsoft.Extensions.AI.EmbeddingGeneratorMetadata)), Is.Not.Null);
    }

    private float[] Embed(string text)
    {
        var vector = new float[_generator.Dimensions];
        _generator.Embed(text, vector);
        return vector;
    }
}

internal static class HashingEmbeddingGeneratorExtensions
{
    public static float[] Embed(this HashingEmbeddingGenerator generator, string text)
    {
        var vector = new float[generator.Dimensions];
        generator.Embed(text, vector);
        return vector;
    }
}
