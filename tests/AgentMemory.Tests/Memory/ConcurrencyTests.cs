using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Tests.Memory;

public sealed class ConcurrencyTests
{
    [Test]
    public async Task EightWritersOnFiftyAgentsLeaveEveryMemoryExactlyOnce()
    {
        await using var host = MemoryTestHost.Create(o => o.Embeddings.UseBuiltInGenerator = false);
        const int Writers = 8, PerWriter = 5_000, Agents = 50;

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                await host.Memory.RememberAsync($"agent-{(w * PerWriter + i) % Agents}", $"writer {w} memory {i}");
            }
        })));
        await host.Memory.FlushAsync();

        var inMemory = 0;
        var stored = new HashSet<string>();
        for (var a = 0; a < Agents; a++)
        {
            var page = await host.Memory.ListAsync($"agent-{a}", new MemoryQuery { Limit = 10_000 });
            inMemory += page.TotalCount;
            foreach (var entry in await MemoryEntries.LoadAllAsync(host.Store, $"agent-{a}"))
            {
                Assert.That(stored.Add(entry.Content), Is.True, $"duplicate: {entry.Content}");
            }
        }

        Assert.That(inMemory, Is.EqualTo(Writers * PerWriter));
        Assert.That(stored, Has.Count.EqualTo(Writers * PerWriter));
    }

    [Test]
    public async Task RecallDuringHeavyWritesNeverThrowsNorReturnsAForgottenMemory()
    {
        await using var host = MemoryTestHost.Create();
        var forgotten = new System.Collections.Concurrent.ConcurrentDictionary<Guid, bool>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var writers = Enumerable.Range(0, 4).Select(w => Task.Run(async () =>
        {
            var i = 0;
            while (!stop.IsCancellationRequested)
            {
                // Remember completes synchronously; yield so that four writers do not monopolize a two-core pool.
                await Task.Yield();
                var entry = await host.Memory.RememberAsync("shared", $"writer {w} note {i++} about deployment pipelines");
                if (i % 3 == 0)
                {
                    await host.Memory.ForgetAsync("shared", entry.Id);
                    forgotten[entry.Id] = true;
                }
                else if (i % 5 == 0)
                {
                    await host.Memory.UpdateAsync("shared", entry.Id, new MemoryUpdate { Content = $"writer {w} revised note {i} about deployment" });
                }
            }
        })).ToList();

        var recalls = 0;
        var readers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                // Memories whose forget completed before this recall started must not come back from it.
                var goneBefore = forgotten.Keys.ToHashSet();
                var results = await host.Memory.RecallAsync("shared", new RecallRequest("deployment pipelines note") { MaxResults = 20, Threshold = 0 });
                Assert.That(results.Where(r => goneBefore.Contains(r.Memory.Id)), Is.Empty, "recall returned a forgotten memory");

                Interlocked.Increment(ref recalls);
            }
        })).ToList();

        await Task.WhenAll(writers.Concat(readers));
        Assert.That(recalls, Is.GreaterThan(10));
        foreach (var id in forgotten.Keys)
        {
            Assert.That(await host.Memory.GetAsync("shared", id), Is.Null);
        }

        var final = await host.Memory.RecallAsync("shared", new RecallRequest("deployment pipelines note") { MaxResults = 1000, Threshold = 0 });
        Assert.That(final.Any(r => forgotten.ContainsKey(r.Memory.Id)), Is.False);
    }
}
