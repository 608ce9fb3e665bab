using NUnit.Framework;

namespace AgentMemory.Tests.Memory;

/// <summary>Memory ids are RFC 9562 version 7 GUIDs: the time first (so ids sort by creation), then random bits.</summary>
public sealed class MemoryIdsTests
{
    [Test]
    public void AnIdIsVersion7WithTheTimeFirstLikeTheFrameworksOwn()
    {
        var time = new DateTimeOffset(2026, 12, 1, 13, 45, 12, 345, TimeSpan.Zero);
        var id = MemoryIds.NewVersion7(time);
        var reference = Guid.CreateVersion7(time);

        Assert.Multiple(() =>
        {
            Assert.That(id.Version, Is.EqualTo(7));
            Assert.That(id.Variant & 0xC, Is.EqualTo(0x8), "RFC 9562 variant (10xx)");
            Assert.That(id.ToString()[..13], Is.EqualTo(reference.ToString()[..13]), "the same 48-bit millisecond prefix");
        });
    }

    [Test]
    public void IdsAreUniqueAcrossBufferRefillsAndOrderedByTime()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var ids = Enumerable.Range(0, 5_000).Select(i => MemoryIds.NewVersion7(start.AddMilliseconds(i))).ToList();

        Assert.That(ids.Distinct().Count(), Is.EqualTo(ids.Count));
        Assert.That(ids.Select(id => id.ToString()), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal), "later milliseconds sort later");
        Assert.That(ids.Select(id => id.ToString()[14..]).Distinct().Count(), Is.EqualTo(ids.Count), "random bits differ");
    }
}
