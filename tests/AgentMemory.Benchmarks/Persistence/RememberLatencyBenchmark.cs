using System.Diagnostics;
using AgentMemory.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMemory.Benchmarks.Persistence;

/// <summary>
/// remember-latency: RememberAsync p50/p99 in write-behind mode on PostgreSQL (built-in embedder off). The call
/// must not wait on the database: it updates the in-process index and queues the change.
/// </summary>
internal static class RememberLatencyBenchmark
{
    private const int Warmup = 5_000;
    private const int Measured = 50_000;

    public static async Task<BenchmarkReport> RunAsync()
    {
        await using var database = await BenchmarkDatabase.CreateAsync();
        await using var host = await BenchmarkHost.StartAsync(services =>
            services.AddAgentMemory(o => o.Embeddings.UseBuiltInGenerator = false).UsePostgres(database.ConnectionString));
        var memory = host.Memory;
        var drafts = Enumerable.Range(0, Warmup + Measured).Select(BenchmarkMemories.Draft).ToList();
        for (var a = 0; a < 10; a++)
        {
            await memory.LoadAgentAsync($"agent-{a}");
        }

        for (var i = 0; i < Warmup; i++)
        {
            await memory.RememberAsync($"agent-{i % 10}", drafts[i]);
        }

        await memory.FlushAsync();
        var samples = new List<double>(Measured);
        var started = Stopwatch.GetTimestamp();
        for (var i = Warmup; i < Warmup + Measured; i++)
        {
            var before = Stopwatch.GetTimestamp();
            await memory.RememberAsync($"agent-{i % 10}", drafts[i]);
            samples.Add(Stopwatch.GetElapsedTime(before).TotalMicroseconds);
        }

        var loop = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await memory.FlushAsync();

        var report = new BenchmarkReport("remember-latency");
        report.Add("remember_p50_us", Percentiles.Of(samples, 50), $"{Measured:N0} calls, write-behind on PostgreSQL");
        report.Add("remember_p99_us", Percentiles.Of(samples, 99), "target < 50");
        report.Add("remember_p999_us", Percentiles.Of(samples, 99.9));
        report.Add("remember_calls_per_s", Measured / loop, "one caller, while the worker writes");
        return report;
    }
}
