using AgentMemory.Retrieval;
using NUnit.Framework;

namespace AgentMemory.Tests.Retrieval;

/// <summary>The index's vector storage: every slot keeps its own unit vector (each slot a different direction here), across block boundaries and growth.</summary>
public sealed class VectorBlocksTests
{
    [Test]
    public void EachSlotReadsBackItsOwnUnitVectorAcrossBlocks()
    {
        var blocks = new VectorBlocks();
        var slots = (3 * VectorBlocks.SlotsPerBlock) + 5;

        // Out of order, so later blocks exist before earlier ones fill, and the growing last block is copied.
        foreach (var slot in Enumerable.Range(0, slots).OrderBy(s => (s * 37) % slots))
        {
            Assert.That(blocks.Set(slot, [2f, slot, 0f]), Is.True);
        }

        for (var slot = 0; slot < slots; slot++)
        {
            var norm = MathF.Sqrt(4f + (slot * slot));
            Assert.That(blocks.At(slot).ToArray(), Is.EqualTo(new[] { 2f / norm, slot / norm, 0f }).Within(1e-6f), $"slot {slot}");
        }

        Assert.That(blocks.Dimensions, Is.EqualTo(3));
    }

    [Test]
    public void AVectorWithoutDirectionIsStoredAsZeros()
    {
        var blocks = new VectorBlocks();
        Assert.That(blocks.Set(0, [1f, 1f]), Is.True);
        Assert.That(blocks.Set(0, [0f, 0f]), Is.False);
        Assert.That(blocks.At(0).ToArray(), Is.EqualTo(new[] { 0f, 0f }));
    }
}
