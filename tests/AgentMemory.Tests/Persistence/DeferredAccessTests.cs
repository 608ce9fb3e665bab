using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Tests.Persistence;

/// <summary>Access statistics of a recall that finds the queue full are written later, not lost.</summary>
public sealed class DeferredAccessTests
{
    [Test]
    public async Task AccessStatisticsRecordedWhileTheQueueIsFullAreWrittenByTheNextFlush()
    {
        var store = new FaultyStore();
        await using var host = MemoryTestHost.Create(
            o =>
            {
                o.Persistence.QueueCapacity = 12;
                o.Persistence.QueueFullMode = QueueFullMode.Throw;
                o.Embeddings.UseBuiltInGenerator = false;
            },
            store);
        var remembered = new List<MemoryEntry>();
        for (var i = 0; i < 5; i++)
        {
            remembered.Add(await host.Memory.RememberAsync("a1", $"deployment note {i}"));
        }

        await host.Memory.LoadAgentAsync("filler");
        await host.Memory.FlushAsync();

        // The store goes down and other changes fill the queue.
        store.Down = true;
        var filler = 0;
        try
        {
            while (filler < 100)
            {
                await host.Memory.RememberAsync("filler", $"filler {filler}");
                filler++;
            }
        }
        catch (MemoryQueueFullException)
        {
        }

        Assert.That(filler, Is.LessThan(100), "the queue filled up");
        var recalled = await host.Memory.RecallAsync("a1", new RecallRequest("deployment note") { MaxResults = 20, Threshold = 0 });
        Assert.That(recalled, Has.Count.EqualTo(remembered.Count));

        // The queued changes drain once the store is back; the deferred statistics wait for the flush.
        store.Down = false;
        await Waiting.UntilAsync(async () => (await MemoryEntries.LoadAllAsync(store, "filler")).Count >= filler, "the queued changes drained", seconds: 10);

        Assert.That((await MemoryEntries.LoadAllAsync(store, "a1")).Select(e => e.AccessCount), Is.All.Zero, "the recall's statistics were deferred, not queued");

        // A memory forgotten meanwhile has nothing left to write.
        Assert.That(await host.Memory.ForgetAsync("a1", remembered[0].Id), Is.True);
        await host.Memory.FlushAsync();

        var stored = (await MemoryEntries.LoadAllAsync(store, "a1")).ToDictionary(e => e.Id);
        Assert.That(stored.ContainsKey(remembered[0].Id), Is.False);
        Assert.That(stored, Has.Count.EqualTo(remembered.Count - 1));
        foreach (var entry in remembered.Skip(1))
        {
            Assert.That(stored[entry.Id].AccessCount, Is.EqualTo(1), "the deferred access count reached the store");
        }
    }
}
