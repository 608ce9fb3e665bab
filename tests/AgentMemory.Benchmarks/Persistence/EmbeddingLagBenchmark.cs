using System.Collections.Concurrent;
using System.Diagnostics;
using AgentMemory.Benchmarks.Infrastructure;
using AgentMemory.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMemory.Benchmarks.Persistence;

/// <summary>
/// embedding-lag: does the built-in embedder keep pace with a host under a flat-out load? Six workers on one host (the
/// in-memory store, so the database is not what is measured) run the coherence benchmark's workload
/// (<see cref="MixedWorkload"/>). The writer waits one batch interval for a new memory's embedding; a memory whose embedding comes
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
        var errors = new ConcurrentQueue<Exception>();
        var started = Stopwatch.StartNew();
        var work = Enumerable.Range(0, Workers)
            .Select(worker => Task.Run(() => MixedWorkload.RunWorkerAsync(host.Memory, agents, worker, pause, stop.Token, _ => Interlocked.Increment(ref operations), errors)))
            .ToList();
        await Task.WhenAll(work);
        if (!errors.IsEmpty)
        {
            throw new AggregateException(errors);
        }

        var seconds = started.Elapsed.TotalSeconds;
        var flushing = Stopwatch.StartNew();
        await host.Memory.FlushAsync();
        var round = new Round(100.0 * store.Bare / Math.Max(1, store.Inserts), operations / seconds, flushing.Elapsed.TotalMilliseconds);
        Console.WriteLine($"  {label}: {round.OperationsPerSecond:N0} operations/s; {store.Inserts:N0} new memories, {store.Bare:N0} written without their embedding ({round.WrittenTwicePercent:F1} %), {store.EmbeddingPatches:N0} embedding patches; flush {round.FlushMilliseconds:F0} ms");
        return round;
    }

    private sealed record Round(double WrittenTwicePercent, double OperationsPerSecond, double FlushMilliseconds);
}
