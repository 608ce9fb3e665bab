using System.Diagnostics;
using AgentMemory.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMemory.Benchmarks.Persistence;

/// <summary>
/// remember-latency: RememberAsync p50/p99 in write-behind mode on PostgreSQL (built-in embedder off). The call
/// must not wait on the database: it updates the in-process index and queues the change. With <c>--embedder onnx</c>
/// (or <c>onnx-minilm</c>): the caller's latency on the in-memory store while the local model embeds in the background,
/// next to the same calls with no embedder, in the same run — the embedding must stay off the caller's path.
/// </summary>
internal static class RememberLatencyBenchmark
{
    private const int Warmup = 30_000;
    private const int Measured = 50_000;
    private const int Rounds = 5;

    public static async Task<BenchmarkReport> RunAsync(string embedder)
    {
        if (embedder != "builtin")
        {
            return await WithModelAsync(embedder);
        }

        // Baseline in the same run: the same calls on the in-memory store, where no worker competes for the two cores.
        // Whole passes on both stores are thrown away until the JIT has settled, so the measured passes run optimized
        // code with no compilation beside them: the writer's per-batch code runs a few times a pass and is promoted
        // late, and its compilation otherwise lands among the measured calls (hundreds of methods in some runs).
        await using var database = await BenchmarkDatabase.CreateAsync();
        Action<IServiceCollection> inMemory = services => services.AddAgentMemory().Configure(o => o.Embeddings.UseBuiltInGenerator = false);
        Action<IServiceCollection> postgres = services =>
            services.AddAgentMemory().Configure(o => o.Embeddings.UseBuiltInGenerator = false).UsePostgres(database.ConnectionString);
        await JitWarmup.RunAsync(
            async pass =>
            {
                await MeasureAsync(inMemory, $"warmup-memory{pass}");
                await MeasureAsync(postgres, $"warmup{pass}");
            },
            settled: 100,
            minPasses: 3,
            maxPasses: 10);

        // Rounds of one pass on each store, each pass on fresh hosts: this machine's speed changes for seconds at a
        // time (a pass's p99 moves between 11 and 40 µs with no writer at all, and with one collection a pass), so
        // one pass says more about the machine than about the code. The figures are the median pass of each store.
        var memory = new List<Pass>();
        var agent = new List<Pass>();
        for (var round = 1; round <= Rounds; round++)
        {
            memory.Add(await MeasureAsync(inMemory, $"memory{round}"));
            agent.Add(await MeasureAsync(postgres, $"agent{round}"));
        }

        double Median(List<Pass> passes, Func<Pass, double> figure) => Percentiles.Median(passes.Select(figure));
        var p99 = Median(agent, p => p.P99);
        var p99Alone = Median(memory, p => p.P99);
        var report = new BenchmarkReport("remember-latency");
        report.Add("remember_p50_us", Median(agent, p => p.P50), $"{Measured:N0} calls a pass, write-behind on PostgreSQL; median of {Rounds} passes");
        report.Add("remember_p99_us", p99, $"target < 20; passes {agent.Min(p => p.P99):0.0}-{agent.Max(p => p.P99):0.0}; in-memory store {p99Alone:0.0} (ratio {p99 / p99Alone:0.00})");
        report.Add("remember_p999_us", Median(agent, p => p.P999));
        report.Add("remember_p50_us_in_memory", Median(memory, p => p.P50), "same calls, in-memory store, same rounds");
        report.Add("remember_p99_us_in_memory", p99Alone, $"passes {memory.Min(p => p.P99):0.0}-{memory.Max(p => p.P99):0.0}");
        report.Add("remember_calls_per_s", Median(agent, p => p.CallsPerSecond), "one caller, while the worker writes");
        return report;
    }

    /// <summary>
    /// The caller's latency while a local model embeds what it remembers, against no embedder at all: 5,000 calls each
    /// (embedding them takes the model some 20 seconds on two cores, all of it in the background).
    /// </summary>
    private static async Task<BenchmarkReport> WithModelAsync(string embedder)
    {
        const int Calls = 5_000;
        var drafts = Enumerable.Range(0, Calls).Select(BenchmarkMemories.Draft).ToList();
        async Task<List<double>> TimeAsync(Action<IAgentMemoryBuilder> configure, string agent)
        {
            await using var host = await BenchmarkHost.StartAsync(services => configure(services.AddAgentMemory()));
            await host.Memory.LoadAgentAsync(agent);
            await host.Memory.RememberAsync(agent, "warm-up memory");
            await host.Memory.FlushAsync();
            var samples = new List<double>(Calls);
            foreach (var draft in drafts)
            {
                var before = Stopwatch.GetTimestamp();
                await host.Memory.RememberAsync(agent, draft);
                samples.Add(Stopwatch.GetElapsedTime(before).TotalMicroseconds);
            }

            var flushed = Stopwatch.GetTimestamp();
            await host.Memory.FlushAsync();
            Console.WriteLine($"  {agent}: {Calls:N0} calls, p99 {Percentiles.Of(samples, 99):F1} µs; background work finished {Stopwatch.GetElapsedTime(flushed).TotalSeconds:F1} s later");
            return samples;
        }

        // Twice each, the first pass of each to compile the code.
        await TimeAsync(memory => memory.Configure(o => o.Embeddings.UseBuiltInGenerator = false), "warmup-plain");
        var plain = await TimeAsync(memory => memory.Configure(o => o.Embeddings.UseBuiltInGenerator = false), "plain");
        var embedded = await TimeAsync(memory => BenchmarkEmbedders.Use(memory, embedder), "embedded");
        var report = new BenchmarkReport("remember-latency");
        report.Add("remember_p50_us", Percentiles.Of(embedded, 50), $"{Calls:N0} calls on the in-memory store, {embedder} embedding in the background");
        report.Add("remember_p99_us", Percentiles.Of(embedded, 99), $"no embedder, same run: {Percentiles.Of(plain, 99):0.0} (ratio {Percentiles.Of(embedded, 99) / Percentiles.Of(plain, 99):0.00})");
        report.Add("remember_p50_us_no_embedder", Percentiles.Of(plain, 50));
        report.Add("remember_p99_us_no_embedder", Percentiles.Of(plain, 99));
        return report;
    }

    private sealed record Pass(double P50, double P99, double P999, double CallsPerSecond);

    private static async Task<Pass> MeasureAsync(Action<IServiceCollection> configure, string agentPrefix)
    {
        await using var host = await BenchmarkHost.StartAsync(configure);
        var memory = host.Memory;
        var drafts = Enumerable.Range(0, Warmup + Measured).Select(BenchmarkMemories.Draft).ToList();
        for (var a = 0; a < 10; a++)
        {
            await memory.LoadAgentAsync($"{agentPrefix}-{a}");
        }

        for (var i = 0; i < Warmup; i++)
        {
            await memory.RememberAsync($"{agentPrefix}-{i % 10}", drafts[i]);
        }

        await memory.FlushAsync();
        await JitWarmup.SettleAsync();
        var samples = new List<double>(Measured);
        var gc = GcSnapshot.Take();
        var started = Stopwatch.GetTimestamp();
        for (var i = Warmup; i < Warmup + Measured; i++)
        {
            var before = Stopwatch.GetTimestamp();
            await memory.RememberAsync($"{agentPrefix}-{i % 10}", drafts[i]);
            samples.Add(Stopwatch.GetElapsedTime(before).TotalMicroseconds);
        }

        var loop = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Console.WriteLine($"  {agentPrefix}: {Measured:N0} calls in {loop * 1000:F0} ms, p99 {Percentiles.Of(samples, 99):F1} µs; {gc.Since()}");
        await memory.FlushAsync();
        return new Pass(Percentiles.Of(samples, 50), Percentiles.Of(samples, 99), Percentiles.Of(samples, 99.9), Measured / loop);
    }
}
