using AgentMemory.Retrieval;
using NUnit.Framework;

namespace AgentMemory.Tests.Retrieval;

/// <summary>The index's vector storage: each slot gives the cosine of its own vector (not normalized when stored) with a unit query, across growth.</summary>
public sealed class SlotVectorsTests
{
    [Test]
    public void EachSlotGivesTheCosineOfItsOwnVector()
    {
        var vectors = new SlotVectors(4);
        const int Slots = 100;

        // Out of order, growing on the way, with lengths far from 1.
        foreach (var slot in Enumerable.Range(0, Slots).OrderBy(s => (s * 37) % Slots))
        {
            Assert.That(vectors.Set(slot % 4, new[] { 2f, slot % 4, 0f }), Is.True);
        }

        vectors.Grow(Slots);
        for (var slot = 0; slot < Slots; slot++)
        {
            Assert.That(vectors.Set(slot, new[] { 2f, slot, 0f }), Is.True);
        }

        float[] query = [0.6f, 0.8f, 0f];
        for (var slot = 0; slot < Slots; slot++)
        {
            var expected = ((2f * 0.6f) + (slot * 0.8f)) / MathF.Sqrt(4f + (slot * slot));
            Assert.That(vectors.Cosine(slot, query), Is.EqualTo(expected).Within(1e-6f), $"slot {slot}");
        }

        Assert.That(vectors.Dimensions, Is.EqualTo(3));
    }

    [Test]
    public void AVectorWithoutDirectionIsRefusedAndClearsTheSlot()
    {
        var vectors = new SlotVectors(1);
        Assert.That(vectors.Set(0, new float[] { 1f, 1f }), Is.True);
        Assert.That(vectors.Has(0), Is.True);
        Assert.That(vectors.Set(0, new float[] { 0f, 0f }), Is.False);
        Assert.That(vectors.Has(0), Is.False, "a refused vector clears the slot");
        Assert.That(vectors.Set(0, new float[] { float.NaN, 1f }), Is.False);
        Assert.That(vectors.Set(0, new float[] { 0f, 2f }), Is.True);
        Assert.That(vectors.Has(0), Is.True);
        Assert.That(vectors.Cosine(0, [0f, 1f]), Is.EqualTo(1f).Within(1e-6f));
    }

    [Test]
    public void TheSlotSharesTheMemorysArrayInsteadOfCopyingIt()
    {
        var vectors = new SlotVectors(1);
        var embedding = new float[] { 3f, 4f };
        vectors.Set(0, embedding);

        // Embeddings are immutable once held; changing the array here only shows that no copy was taken.
        embedding[0] = 4f;
        embedding[1] = 3f;
        Assert.That(vectors.Cosine(0, [1f, 0f]), Is.EqualTo(4f / 5f).Within(1e-6f));
    }
}
