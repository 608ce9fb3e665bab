using System.Diagnostics.Metrics;
using AgentMemory.Storage;
using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using static AgentMemory.Tests.TestSupport.VectorEmbeddingGenerator;

namespace AgentMemory.Tests.Consolidation;

/// <summary>Consolidation as a whole: idempotent, scheduled by time, one run per agent, safe beside a working agent.</summary>
public sealed class ConsolidationRunTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task ASecondRunChangesNothing()
    {
        var time = new FakeTimeProvider(Start);
        var vectors = new VectorEmbeddingGenerator()
            .Set("dup one", Vector((0, 1f)))
            .Set("dup two", Vector((0, 0.99f), (1, 0.1f)))
            .Set("cluster a", Vector((2, 1f), (3, 0.45f)))
            .Set("cluster b", Vector((2, 1f), (4, 0.45f)))
            .Set("cluster c", Vector((2, 1f), (5, 0.45f)));
        await using var host = MemoryTestHost.Create(
            o =>
            {
                o.Consolidation.WorkingCapacity = 2;
                o.Consolidation.EpisodicCapacity = 6;
            },
            time: time,
            services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(vectors));
        var memory = host.Memory.ForAgent("a1");
        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromMinutes(1));
            await memory.RememberAsync(new MemoryDraft($"working note {i}") { Type = MemoryType.Working, Importance = (Importance)(i % 3) });
        }

        foreach (var text in new[] { "dup one", "dup two", "cluster a", "cluster b", "cluster c" })
        {
            await memory.RememberAsync(text);
        }

        for (var i = 0; i < 8; i++)
        {
            await memory.RememberAsync(new MemoryDraft($"episode number {i} about topic {i * 7}") { Importance = (Importance)(i % 4), ExpiresAt = i == 0 ? Start.AddDays(10) : null });
        }

        time.Advance(TimeSpan.FromDays(60));
        var first = await memory.ConsolidateAsync();
        var after = await Snapshot(memory);
        var second = await memory.ConsolidateAsync();

        Assert.That(first.ChangedAnything, Is.True);
        Assert.That(first.WorkingPromoted + first.WorkingDropped, Is.EqualTo(3));
        Assert.That(first.Merged, Is.EqualTo(1));
        Assert.That(first.Expired, Is.EqualTo(1));
        Assert.That(first.Forgotten, Is.GreaterThan(0));
        Assert.That(second.ChangedAnything, Is.False, $"second run: {second}");
        Assert.That(await Snapshot(memory), Is.EqualTo(after));
    }

    [Test]
    public async Task TheBackgroundServiceRunsWhenTimePassesTheIntervalAndNotBefore()
    {
        var time = new FakeTimeProvider(Start);
        await using var host = MemoryTestHost.Create(
            o =>
            {
                o.Consolidation.Enabled = true;
                o.Consolidation.StartupDelay = TimeSpan.FromMinutes(10);
                o.Consolidation.Interval = TimeSpan.FromHours(6);
                o.Consolidation.Jitter = 0;
            },
            time: time,
            services: s => s.AddMetrics());
        using var runs = new MetricCollector<long>(host.Services.GetRequiredService<IMeterFactory>(), "AgentMemory", "agentmemory.consolidation.runs");
        await host.StartAsync();
        var memory = host.Memory.ForAgent("a1");
        await memory.RememberAsync(new MemoryDraft("the coupon works today") { ExpiresAt = Start.AddHours(1) });
        await memory.RememberAsync("the shop is in Lyon");
        await host.Memory.FlushAsync();

        time.Advance(TimeSpan.FromMinutes(9));
        await Settle();
        Assert.That(runs.GetMeasurementSnapshot(), Is.Empty, "not before the start-up delay");

        time.Advance(TimeSpan.FromMinutes(1));
        await WaitForRuns(runs, 1, host);
        Assert.That((await memory.ListAsync()).Items, Has.Count.EqualTo(2), "nothing expired yet at 08:10");

        time.Advance(TimeSpan.FromHours(6) - TimeSpan.FromSeconds(1));
        await Settle();
        Assert.That(runs.GetMeasurementSnapshot(), Has.Count.EqualTo(1), "not before the interval");

        time.Advance(TimeSpan.FromSeconds(1));
        await WaitForRuns(runs, 2, host);
        Assert.That((await memory.ListAsync()).Items.Select(m => m.Content), Is.EqualTo(new[] { "the shop is in Lyon" }), "the second run removed the expired memory");
        await host.StopAsync();
    }

    [Test]
    public async Task ARunWaitsWhileAnotherHoldsTheAgent()
    {
        await using var host = MemoryTestHost.Create();
        var memory = host.Memory.ForAgent("a1");
        await memory.RememberAsync("something");
        var agentLock = host.Services.GetRequiredService<IConsolidationLock>();

        var held = await agentLock.TryAcquireAsync("a1");
        Assert.That(held, Is.Not.Null);
        Assert.That(await agentLock.TryAcquireAsync("a1"), Is.Null, "one holder at a time");
        Assert.That(await agentLock.TryAcquireAsync("a2"), Is.Not.Null, "other agents are free");

        var run = memory.ConsolidateAsync().AsTask();
        await Task.Delay(300);
        Assert.That(run.IsCompleted, Is.False);

        await held!.DisposeAsync();
        var report = await run.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(report.Kept, Is.EqualTo(1));
    }

    [Test]
    public async Task ConsolidationBesideRemembersAndRecallsLosesNothingAndTheStoreMatches()
    {
        await using var host = MemoryTestHost.Create(o =>
        {
            o.Consolidation.WorkingCapacity = 5;
            o.Consolidation.PromotionAccessCount = 3;
        });
        var memory = host.Memory.ForAgent("a1");
        using var stop = new CancellationTokenSource();
        var remembered = new List<Guid>();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < 400; i++)
            {
                var type = i % 5 == 0 ? MemoryType.Working : MemoryType.Episodic;
                remembered.Add((await memory.RememberAsync(new MemoryDraft($"event {i} in area {i % 13}") { Type = type, Importance = (Importance)(i % 3) })).Id);
            }
        });
        var reader = Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                await memory.RecallAsync(new RecallRequest($"area {i++ % 13}") { MaxResults = 5 });
            }
        });
        var reports = new List<ConsolidationReport>();
        while (!writer.IsCompleted)
        {
            reports.Add(await memory.ConsolidateAsync());
        }

        await writer;
        await stop.CancelAsync();
        await reader;
        reports.Add(await memory.ConsolidateAsync());
        await host.Memory.FlushAsync();

        var working = (await memory.ListAsync(new MemoryQuery { Types = [MemoryType.Working], Limit = 1000 })).Items;
        Assert.That(working, Has.Count.LessThanOrEqualTo(5));
        var inMemory = (await memory.ListAsync(new MemoryQuery { Limit = 1000 })).Items.OrderBy(m => m.Id).ToList();
        var stored = await host.Store.LoadMemoriesAsync("a1").OrderBy(m => m.Id).ToListAsync();
        Assert.That(stored.Select(m => (m.Id, m.Type, m.Version, m.Content)), Is.EqualTo(inMemory.Select(m => (m.Id, m.Type, m.Version, m.Content))));

        // Every remembered memory is still there, or was dropped from working memory, or merged into one that lists it.
        var dropped = reports.Sum(r => r.WorkingDropped);
        var sources = inMemory.SelectMany(m => m.SourceIds).ToHashSet();
        var missing = remembered.Where(id => inMemory.All(m => m.Id != id) && !sources.Contains(id)).ToList();
        Assert.That(missing, Has.Count.EqualTo(dropped));
    }

    private static async Task<List<(Guid, MemoryType, long, string, long)>> Snapshot(IAgentMemory memory) =>
        [.. (await memory.ListAsync(new MemoryQuery { Limit = 1000 })).Items.OrderBy(m => m.Id).Select(m => (m.Id, m.Type, m.Version, m.Content, m.AccessCount))];

    private static async Task WaitForRuns(MetricCollector<long> runs, int count, MemoryTestHost host)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (runs.GetMeasurementSnapshot().Count < count)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), () => $"waiting for consolidation run {count}; logs:\n" + string.Join('\n', host.Logs.GetSnapshot().Select(r => $"{r.Level} {r.Message} {r.Exception}")));
            await Task.Delay(20);
        }
    }

    /// <summary>Lets continuations scheduled by a fake-time advance run, so a run that should not start has had its chance.</summary>
    private static Task Settle() => Task.Delay(200);
}
