using System.Diagnostics;
using AgentMemory.Benchmarks.Infrastructure;
using AgentMemory.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMemory.Benchmarks.Persistence;

/// <summary>
/// embedding-lag: does the built-in embedder keep pace with a host under a flat-out load? Six workers on one host (the
/// in-memory store, so the database is not what is measured) remember, update, forget and recall as the coherence
/// benchmark's do. The writer waits one batch interval for a new memory's embedding; a memory whose embedding comes
/// later is written twice (without it, then the embedding as a patch). Baseline in the same run: the same workload
/// paced at 1,000 operations a second, where the embedder is never behind.
/// </summary>
internal static class EmbeddingLagBenchmark
{
    private const int Workers = 6;
    private const int Agents = 50;
    private const int Rounds = 3;
    private static readonly TimeSpan Phase = TimeSpan.FromSeconds(5);

    public static async Task<BenchmarkReport> RunAsync()
    {
        // The first round compiles the code (its figures are printed, not reported).
        await RunRoundAsync("warm-up", pace: null);
        var flatOut = new List<Round>();
        for (var i = 1; i <= Rounds; i++)
        {
            flatOut.Add(await RunRoundAsync($"flat out {i}", pace: null));
        }

        var paced = await RunRoundAsync("paced", pace: 1_000);
        var report = new BenchmarkReport("embedding-lag");
        report.Add("written_twice_pct", Percentiles.Median(flatOut.Select(r => r.WrittenTwicePercent)), $"new memories written without their embedding, then again with it; {Workers} workers flat out, median of {Rounds} rounds of {Phase.TotalSeconds:F0} s");
        report.Add("written_twice_pct_paced", paced.WrittenTwicePercent, "same workload at 1,000 operations/s, same run");
        report.Add("operations_per_s", Percentiles.Median(flatOut.Select(r => r.OperationsPerSecond)), "flat out, in-memory store");
        report.Add("flush_ms", Percentiles.Median(flatOut.Select(r => r.FlushMilliseconds)), "after the workers stopped, until every embedding was computed and written");
        return report;
    }

    private static async Task<Round> RunRoundAsync(string label, int? pace)
    {
        var store = new CountingStore(new InMemoryMemoryStore());
        await using var host = await BenchmarkHost.StartAsync(services => services.AddAgentMemory().UseStore(store));
        var agents = Enumerable.Range(0, Agents).Select(a => $"agent-{a}").ToArray();
        using var stop = new CancellationTokenSource(Phase);
        long operations = 0;
        var pause = pace is { } perSecond ? TimeSpan.FromSeconds(Workers / (double)perSecond) : TimeSpan.Zero;
        var started = Stopwatch.StartNew();
        var work = Enumerable.Range(0, Workers).Select(worker => Task.Run(async () =>
        {
            var random = new Random(worker);
            var mine = new List<(string Agent, Guid Id)>();
            var steps = 0;
            while (!stop.IsCancellationRequested)
            {
                // The time left is read once: read twice, it can turn negative in between.
                if (pause > TimeSpan.Zero && pause * ++steps - started.Elapsed is var left && left > TimeSpan.Zero)
                {
                    await Task.Delay(left, CancellationToken.None);
                }

                var agent = agents[random.Next(agents.Length)];
                try
                {
                    switch (random.Next(100))
                    {
                        case < 55:
                            mine.Add((agent, (await host.Memory.RememberAsync(agent, $"fact {random.Next(100_000)} about subject {random.Next(40)}")).Id));
                            break;
                        case < 70 when mine.Count > 0:
                            var (owner, id) = mine[random.Next(mine.Count)];
                            await host.Memory.UpdateAsync(owner, id, new MemoryUpdate { Importance = (Importance)random.Next(4) });
                            break;
                        case < 75 when mine.Count > 0:
                            var index = random.Next(mine.Count);
                            await host.Memory.ForgetAsync(mine[index].Agent, mine[index].Id);
                            mine.RemoveAt(index);
                            break;
                        default:
                            await host.Memory.RecallAsync(agent, new RecallRequest($"subject {random.Next(40)}"));
                            break;
                    }

                    Interlocked.Increment(ref operations);
                }
                catch (MemoryNotFoundException)
                {
                }
            }
        })).ToList();
        await Task.WhenAll(work);
        var seconds = started.Elapsed.TotalSeconds;
        var flushing = Stopwatch.StartNew();
        await host.Memory.FlushAsync();
        var round = new Round(100.0 * store.Bare / Math.Max(1, store.Inserts), operations / seconds, flushing.Elapsed.TotalMilliseconds);
        Console.WriteLine($"  {label}: {round.OperationsPerSecond:N0} operations/s; {store.Inserts:N0} new memories, {store.Bare:N0} written without their embedding ({round.WrittenTwicePercent:F1} %), {store.EmbeddingPatches:N0} embedding patches; flush {round.FlushMilliseconds:F0} ms");
        return round;
    }

    private sealed record Round(double WrittenTwicePercent, double OperationsPerSecond, double FlushMilliseconds);
}
