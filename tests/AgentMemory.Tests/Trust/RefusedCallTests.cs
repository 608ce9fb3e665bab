using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Tests.Trust;

/// <summary>A refused call changes nothing, and a retry with the caller's id is idempotent.</summary>
public sealed class RefusedCallTests
{
    [Test]
    public async Task ARefusedRememberManyRemembersNoneOfItsDrafts()
    {
        var store = new FaultyStore();
        await using var host = MemoryTestHost.Create(store: store);
        var existing = await host.Memory.RememberAsync("a1", "The sky is blue");

        var refused = Assert.CatchAsync<ArgumentException>(async () => await host.Memory.RememberManyAsync("a1",
        [
            "New fact A",
            "New fact B",
            new MemoryDraft("Something else entirely") { Id = existing.Id },
        ]));

        Assert.That(refused!.Message, Does.Contain("memories[2]").And.Contain(existing.Id.ToString()));
        await host.Memory.FlushAsync();
        Assert.That((await host.Memory.ListAsync("a1")).Items.Select(m => m.Content), Is.EqualTo(new[] { "The sky is blue" }), "in process");
        Assert.That((await MemoryEntries.LoadAllAsync(store, "a1")).Select(m => m.Content), Is.EqualTo(new[] { "The sky is blue" }), "in the store");
    }

    [Test]
    public async Task RefusedRememberManyCallsGiveNoQueuePlacesBackTwice()
    {
        var fits = await CountRemembersThatFitAsync(refusedCallsFirst: 0);
        var fitsAfterRefusals = await CountRemembersThatFitAsync(refusedCallsFirst: 5);

        Assert.That(fitsAfterRefusals, Is.EqualTo(fits), "the queue's capacity is what it was");
    }

    [Test]
    public async Task ARetryWithTheCallersIdReturnsThatMemoryAndChangesNothing()
    {
        await using var host = MemoryTestHost.Create();
        var known = await host.Memory.RememberAsync("a1", "The sky is blue");
        var id = Guid.CreateVersion7();

        var first = await host.Memory.RememberAsync("a1", new MemoryDraft("The sky is blue") { Id = id });
        var retry = await host.Memory.RememberAsync("a1", new MemoryDraft("The sky is blue") { Id = id });
        var again = await host.Memory.RememberAsync("a1", new MemoryDraft("The sky is blue") { Id = id });

        Assert.That((first.Id, retry.Id, again.Id), Is.EqualTo((id, id, id)));
        Assert.That((await host.Memory.GetAsync("a1", id))?.Content, Is.EqualTo("The sky is blue"));
        Assert.That((await host.Memory.GetAsync("a1", id))!.AccessCount, Is.Zero, "a retry does not count as a reinforcement");
        Assert.That((await host.Memory.GetAsync("a1", known.Id))!.AccessCount, Is.Zero, "the memory without that id is untouched");
    }

    [Test]
    public async Task KnownContentWithTagsBeyondTheLimitIsRefusedNotCut()
    {
        await using var host = MemoryTestHost.Create();
        var first = await host.Memory.RememberAsync("a1", new MemoryDraft("tagged fact") { Tags = [.. Enumerable.Range(0, 40).Select(i => $"a{i}")] });

        var refused = Assert.CatchAsync<ArgumentException>(async () =>
            await host.Memory.RememberAsync("a1", new MemoryDraft("tagged fact") { Tags = [.. Enumerable.Range(0, 40).Select(i => $"b{i}")] }));

        Assert.That(refused!.ParamName, Is.EqualTo("tags"));
        var stored = (await host.Memory.GetAsync("a1", first.Id))!;
        Assert.That((stored.Tags.Count, stored.AccessCount, stored.Version), Is.EqualTo((40, 0L, 1L)), "nothing changed");
    }

    [Test]
    public async Task AWriteThroughRememberTheStoreRefusesLeavesNothingInProcess()
    {
        var store = new FaultyStore { Refuse = e => e.Content.Contains("poison", StringComparison.Ordinal) };
        await using var host = MemoryTestHost.Create(o => o.Persistence.Durability = Durability.WriteThrough, store);
        var kept = await host.Memory.RememberAsync("a1", "a memory the store keeps");

        Assert.ThrowsAsync<MemoryStoreException>(async () => await host.Memory.RememberAsync("a1", "a poison memory the store refuses"));

        Assert.That((await host.Memory.ListAsync("a1")).Items.Select(m => m.Id), Is.EqualTo(new[] { kept.Id }), "not in process");
        Assert.That((await host.Memory.RecallAsync("a1", new RecallRequest("poison memory") { Threshold = 0 })).Any(r => r.Memory.Content.Contains("poison", StringComparison.Ordinal)), Is.False, "not recalled");
        Assert.That((await MemoryEntries.LoadAllAsync(store, "a1")).Select(m => m.Id), Is.EqualTo(new[] { kept.Id }), "not in the store");
    }

    [Test]
    public async Task AWriteThroughUpdateTheStoreRefusesLeavesTheMemoryAsItWas()
    {
        var store = new FaultyStore { Refuse = e => e.Content.Contains("poison", StringComparison.Ordinal) };
        await using var host = MemoryTestHost.Create(o => o.Persistence.Durability = Durability.WriteThrough, store);
        var entry = await host.Memory.RememberAsync("a1", new MemoryDraft("the original wording") { Tags = ["kept"] });
        await host.Memory.FlushAsync();
        var before = (await host.Memory.GetAsync("a1", entry.Id))!;

        Assert.ThrowsAsync<MemoryStoreException>(async () =>
            await host.Memory.UpdateAsync("a1", entry.Id, new MemoryUpdate { Content = "a poison wording", Tags = ["changed"] }));

        var now = (await host.Memory.GetAsync("a1", entry.Id))!;
        Assert.That((now.Content, now.Version, now.Tags.Single()), Is.EqualTo((before.Content, before.Version, "kept")), "as it was before the refused update");
        Assert.That((await host.Memory.RecallAsync("a1", new RecallRequest("original wording") { Threshold = 0 })).Single().Memory.Id, Is.EqualTo(entry.Id), "found by its old words");
        Assert.That((await host.Memory.RecallAsync("a1", new RecallRequest("poison") { Threshold = 0.1 })).Any(), Is.False, "not by the refused ones");
        Assert.That((await host.Memory.ListAsync("a1", new MemoryQuery { Tags = ["changed"] })).TotalCount, Is.Zero);
    }

    private static async Task<int> CountRemembersThatFitAsync(int refusedCallsFirst)
    {
        var store = new FaultyStore();
        await using var host = MemoryTestHost.Create(
            o =>
            {
                o.Persistence.QueueCapacity = 10;
                o.Persistence.QueueFullMode = QueueFullMode.Throw;
            },
            store);
        var existing = await host.Memory.RememberAsync("a1", "The sky is blue");
        for (var i = 0; i < refusedCallsFirst; i++)
        {
            Assert.CatchAsync<ArgumentException>(async () => await host.Memory.RememberManyAsync("a1",
                [$"refused fact {i} A", $"refused fact {i} B", new MemoryDraft($"clash {i}") { Id = existing.Id }]));
        }

        // Whatever the refused calls queued is written (and its places given back), then the database goes down:
        // from here on every change waits in the queue, and the queue's capacity decides how many fit.
        await host.Memory.FlushAsync();
        store.Down = true;

        var fitted = 0;
        try
        {
            while (fitted < 100)
            {
                await host.Memory.RememberAsync("a1", $"fact number {fitted}");
                fitted++;
            }
        }
        catch (MemoryQueueFullException)
        {
        }

        store.Down = false;
        await host.Memory.FlushAsync();
        return fitted;
    }
}
