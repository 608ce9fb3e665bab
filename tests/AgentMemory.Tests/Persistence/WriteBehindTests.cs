using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace AgentMemory.Tests.Persistence;

/// <summary>The background writer: batching, outages, refused rows, back-pressure, shutdown and write-through.</summary>
public sealed class WriteBehindTests
{
    [Test]
    public async Task FlushMakesEverythingDurableInFewBatches()
    {
        var store = new FaultyStore();
        await using var host = MemoryTestHost.Create(o => o.Persistence.BatchSize = 500, store);
        for (var i = 0; i < 2_000; i++)
        {
            await host.Memory.RememberAsync("a1", $"memory {i}");
        }

        await host.Memory.FlushAsync();
        Assert.That(await MemoryEntries.LoadAllAsync(store, "a1"), Has.Count.EqualTo(2_000));
        Assert.That(store.ApplyCalls, Is.LessThan(2_000 / 10), "changes are batched, not written one by one");
    }

    [Test]
    public async Task AWriterThatFellBehindTakesUpToMaxBatchSizePerTransaction()
    {
        // 350 memories wait while the store is down: once it is back, they go in transactions of up to 100, not 10.
        var sizes = await WriteBacklogAsync(batchSize: 10, maxBatchSize: 100, memories: 350);

        Assert.That(sizes.Sum(), Is.EqualTo(351), "every memory and the agent's row, once");
        Assert.That(sizes.Max(), Is.EqualTo(100), "a transaction takes up to MaxBatchSize");
        Assert.That(sizes, Has.Length.LessThanOrEqualTo(5), "the backlog of 351 changes in four or five transactions");
    }

    [Test]
    public async Task MaxBatchSizeBelowBatchSizeDoesNotShrinkBatches()
    {
        var sizes = await WriteBacklogAsync(batchSize: 50, maxBatchSize: 10, memories: 120);

        Assert.That(sizes.Max(), Is.EqualTo(50), "BatchSize is the floor of the largest batch");
    }

    /// <summary>Remembers while the store is down, then lets the writer catch up; returns the sizes of the change sets written.</summary>
    private static async Task<int[]> WriteBacklogAsync(int batchSize, int maxBatchSize, int memories)
    {
        var store = new FaultyStore();
        await using var host = MemoryTestHost.Create(
            o =>
            {
                o.Embeddings.UseBuiltInGenerator = false;
                o.Persistence.BatchSize = batchSize;
                o.Persistence.MaxBatchSize = maxBatchSize;
            },
            store);
        await host.Memory.LoadAgentAsync("a1");
        store.Down = true;
        for (var i = 0; i < memories; i++)
        {
            await host.Memory.RememberAsync("a1", $"memory {i}");
        }

        await Waiting.UntilAsync(() => store.FailedApplies >= 1, "the store failed a write");
        store.Down = false;
        await host.Memory.FlushAsync();

        Assert.That(await MemoryEntries.LoadAllAsync(store, "a1"), Has.Count.EqualTo(memories), "nothing lost");
        return [.. store.WrittenSizes];
    }

    [Test]
    public async Task SeveralChangesToOneMemoryCoalesceToItsLatestState()
    {
        var store = new FaultyStore();
        await using var host = MemoryTestHost.Create(o => o.Embeddings.UseBuiltInGenerator = false, store);
        await host.Memory.LoadAgentAsync("a1");
        store.Down = true;
        var entry = await host.Memory.RememberAsync("a1", "v1");
        for (var i = 2; i <= 5; i++)
        {
            await host.Memory.UpdateAsync("a1", entry.Id, new MemoryUpdate { Content = $"v{i}" });
        }

        store.Down = false;
        await host.Memory.FlushAsync();
        var stored = (await MemoryEntries.LoadAllAsync(store, "a1")).Single();
        Assert.That(stored.Content, Is.EqualTo("v5"));
        Assert.That(stored.Version, Is.EqualTo(5));
    }

    [Test]
    public async Task AnOutageLosesNothingAndIsLoggedWithItsRecovery()
    {
        var store = new FaultyStore();
        await using var host = MemoryTestHost.Create(store: store);
        await host.Memory.RememberAsync("a1", "before the outage");
        await host.Memory.FlushAsync();

        store.Down = true;
        var during = new List<MemoryEntry>();
        for (var i = 0; i < 300; i++)
        {
            during.Add(await host.Memory.RememberAsync("a1", $"during the outage {i}"));
        }

        // Calls return at once and stay readable while the store is down.
        Assert.That((await host.Memory.ListAsync("a1", new MemoryQuery { Limit = 1000 })).TotalCount, Is.EqualTo(301));
        await Waiting.UntilAsync(() => store.FailedApplies >= 3, "the store failed three writes");
        store.Down = false;
        await host.Memory.FlushAsync();

        var stored = await MemoryEntries.LoadAllAsync(store, "a1");
        Assert.That(stored, Has.Count.EqualTo(301));
        Assert.That(stored.Select(e => e.Id), Is.SupersetOf(during.Select(e => e.Id)));
        var logs = host.Logs.GetSnapshot();
        Assert.That(logs.Any(l => l.Id.Name == "StoreUnavailable" && l.Level == LogLevel.Warning), Is.True);
        Assert.That(logs.Any(l => l.Id.Name == "StoreRecovered" && l.Level == LogLevel.Information), Is.True);
    }

    [Test]
    public async Task ARefusedRowIsIsolatedAndTheRestIsWritten()
    {
        var store = new FaultyStore { Refuse = e => e.Content.Contains("POISON", StringComparison.Ordinal) };
        await using var host = MemoryTestHost.Create(o => o.Persistence.BatchInterval = TimeSpan.FromMilliseconds(200), store);
        var good = new List<Guid>();
        for (var i = 0; i < 100; i++)
        {
            good.Add((await host.Memory.RememberAsync("a1", $"good {i}")).Id);
            if (i == 37)
            {
                await host.Memory.RememberAsync("a1", "POISON row");
            }
        }

        await host.Memory.FlushAsync();
        var later = await host.Memory.RememberAsync("a1", "written after the poison");
        await host.Memory.FlushAsync();

        var stored = (await MemoryEntries.LoadAllAsync(store, "a1")).Select(e => e.Id).ToList();
        Assert.That(stored, Is.SupersetOf(good));
        Assert.That(stored, Does.Contain(later.Id));
        Assert.That(stored, Has.Count.EqualTo(101));
        var rejected = host.Logs.GetSnapshot().Where(l => l.Id.Name == "ChangeRejected").ToList();
        Assert.That(rejected, Has.Count.EqualTo(1));
        Assert.That(rejected[0].Message, Does.Contain("check constraint violated"));
        Assert.That(rejected[0].Message, Does.Not.Contain("POISON"), "content is not logged above Trace");
    }

    [Test]
    public async Task WriteThroughReturnsOnlyAfterCommit()
    {
        var store = new FaultyStore { ApplyDelay = TimeSpan.FromMilliseconds(5) };
        await using var host = MemoryTestHost.Create(o => o.Persistence.Durability = Durability.WriteThrough, store);
        for (var i = 0; i < 20; i++)
        {
            var entry = await host.Memory.RememberAsync("a1", $"durable {i}");
            Assert.That((await MemoryEntries.LoadAllAsync(store.Inner, "a1")).Any(e => e.Id == entry.Id), Is.True, $"memory {i} is stored when the call returns");
        }
    }

    [Test]
    public async Task WriteThroughSharesTransactionsBetweenConcurrentCallers()
    {
        var store = new FaultyStore { ApplyDelay = TimeSpan.FromMilliseconds(20) };
        await using var host = MemoryTestHost.Create(o => o.Persistence.Durability = Durability.WriteThrough, store);
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => host.Memory.RememberAsync($"agent-{i % 10}", $"concurrent {i}").AsTask()));
        var stored = 0;
        for (var a = 0; a < 10; a++)
        {
            stored += (await MemoryEntries.LoadAllAsync(store, $"agent-{a}")).Count;
        }

        Assert.That(stored, Is.EqualTo(200));
        Assert.That(store.ApplyCalls, Is.LessThan(100), "group commit: fewer transactions than callers");
    }

    [Test]
    public async Task AWriteThroughCallerLearnsWhenItsRowWasRefused()
    {
        var store = new FaultyStore { Refuse = e => e.Content == "refused" };
        await using var host = MemoryTestHost.Create(o => o.Persistence.Durability = Durability.WriteThrough, store);
        Assert.CatchAsync<MemoryStoreException>(async () => await host.Memory.RememberAsync("a1", "refused"));
        Assert.DoesNotThrowAsync(async () => await host.Memory.RememberAsync("a1", "accepted"));
    }

    [Test]
    public async Task AFullQueueFailsFastWhenConfiguredAndChangesNothing()
    {
        var store = new FaultyStore();
        await using var host = MemoryTestHost.Create(
            o =>
            {
                o.Persistence.QueueCapacity = 10;
                o.Persistence.QueueFullMode = QueueFullMode.Throw;
                o.Embeddings.UseBuiltInGenerator = false;
            },
            store);
        await host.Memory.LoadAgentAsync("a1");
        store.Down = true;

        // The first remember of an agent also queues the agent's state.
        var accepted = 0;
        MemoryQueueFullException? full = null;
        for (var i = 0; i < 20 && full is null; i++)
        {
            try
            {
                await host.Memory.RememberAsync("a1", $"memory {i}");
                accepted++;
            }
            catch (MemoryQueueFullException ex)
            {
                full = ex;
            }
        }

        Assert.That(full, Is.Not.Null);
        Assert.That(full!.Capacity, Is.EqualTo(10));
        Assert.That(accepted, Is.InRange(8, 10));
        Assert.That((await host.Memory.ListAsync("a1")).TotalCount, Is.EqualTo(accepted), "the refused call changed nothing");

        store.Down = false;
        await host.Memory.FlushAsync();
        Assert.That(await MemoryEntries.LoadAllAsync(store, "a1"), Has.Count.EqualTo(accepted));
        Assert.DoesNotThrowAsync(async () => await host.Memory.RememberAsync("a1", "room again"));
    }

    [Test]
    public async Task AFullQueueMakesCallersWaitUntilThereIsRoom()
    {
        var store = new FaultyStore();
        await using var host = MemoryTestHost.Create(
            o =>
            {
                o.Persistence.QueueCapacity = 5;
                o.Embeddings.UseBuiltInGenerator = false;
            },
            store);
        await host.Memory.LoadAgentAsync("a1");
        store.Down = true;

        var writes = Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await host.Memory.RememberAsync("a1", $"memory {i}");
            }
        });

        await Task.Delay(200);
        Assert.That(writes.IsCompleted, Is.False, "callers are held back while the store is down and the queue full");
        store.Down = false;
        await writes.WaitAsync(TimeSpan.FromSeconds(30));
        await host.Memory.FlushAsync();
        Assert.That(await MemoryEntries.LoadAllAsync(store, "a1"), Has.Count.EqualTo(50));
    }

    [Test]
    public async Task GracefulStopDrainsTheQueue()
    {
        var store = new FaultyStore();
        var host = MemoryTestHost.Create(o => o.Persistence.BatchInterval = TimeSpan.FromSeconds(30), store);
        await host.StartAsync();
        for (var i = 0; i < 500; i++)
        {
            await host.Memory.RememberAsync($"agent-{i % 5}", $"queued {i}");
        }

        await host.StopAsync();
        var stored = 0;
        for (var a = 0; a < 5; a++)
        {
            stored += (await MemoryEntries.LoadAllAsync(store, $"agent-{a}")).Count;
        }

        Assert.That(stored, Is.EqualTo(500));
        Assert.CatchAsync<ObjectDisposedException>(async () => await host.Memory.RememberAsync("agent-0", "after stop"));
        await host.DisposeAsync();
    }

    [Test]
    public async Task DisposingWithoutStoppingStillDrains()
    {
        var store = new FaultyStore();
        var host = MemoryTestHost.Create(o => o.Persistence.BatchInterval = TimeSpan.FromSeconds(30), store);
        for (var i = 0; i < 300; i++)
        {
            await host.Memory.RememberAsync("a1", $"queued {i}");
        }

        await host.DisposeAsync();
        Assert.That(await MemoryEntries.LoadAllAsync(store, "a1"), Has.Count.EqualTo(300));
    }

    [Test]
    public async Task SynchronousDisposeStillDrains()
    {
        var store = new FaultyStore();
        var host = MemoryTestHost.Create(o => o.Persistence.BatchInterval = TimeSpan.FromSeconds(30), store);
        for (var i = 0; i < 100; i++)
        {
            await host.Memory.RememberAsync("a1", $"queued {i}");
        }

        host.Services.Dispose();
        Assert.That(await MemoryEntries.LoadAllAsync(store, "a1"), Has.Count.EqualTo(100));
    }

    [Test]
    public async Task AShutdownThatRunsOutOfTimeReportsWhatWasNotWritten()
    {
        var store = new FaultyStore();
        var host = MemoryTestHost.Create(store: store);
        await host.StartAsync();
        await host.Memory.LoadAgentAsync("a1");
        store.Down = true;
        for (var i = 0; i < 10; i++)
        {
            await host.Memory.RememberAsync("a1", $"stuck {i}");
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        try
        {
            await host.StopAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
        }

        var report = host.Logs.GetSnapshot().SingleOrDefault(l => l.Id.Name == "DrainIncomplete");
        Assert.That(report, Is.Not.Null);
        Assert.That(report!.Level, Is.EqualTo(LogLevel.Error));
        Assert.That(report.Message, Does.Contain("before the background writer could save"));
        await host.DisposeAsync();
    }
}
