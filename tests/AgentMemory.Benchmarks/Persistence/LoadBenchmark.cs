using System.Diagnostics;
using AgentMemory.Benchmarks.Infrastructure;
using AgentMemory.PostgreSql.Storage;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AgentMemory.Benchmarks.Persistence;

/// <summary>
/// load: a new host loads an agent with 10,000 memories (384-float embeddings); next to a plain binary COPY TO of the
/// same rows, read and decoded by the same client.
/// </summary>
internal static class LoadBenchmark
{
    private const int Count = 10_000;
    private const int Rounds = 7;

    public static async Task<BenchmarkReport> RunAsync()
    {
        await using var database = await BenchmarkDatabase.CreateAsync();
        var vectors = BenchmarkMemories.Vectors(Count);
        var model = $"{HashingEmbeddingGenerator.ProviderName}/{new HashingEmbeddingGenerator().ModelId}";
        var entries = BenchmarkMemories.Entries("loaded", Count, 1, vectors, model);
        await using (var seed = await StartAsync(database))
        {
            await seed.Memory.LoadAgentAsync("warmup");
        }

        await using (var dataSource = NpgsqlDataSource.Create(database.ConnectionString))
        await using (var connection = await dataSource.OpenConnectionAsync())
        {
            await BenchmarkDatabase.CopyMemoriesAsync(connection, entries);
        }

        await database.ExecuteAsync("VACUUM ANALYZE agent_memory.memories");

        // Warm up the load and the COPY TO on the same rows until the JIT has settled, then measure.
        await JitWarmup.RunAsync(
            async _ =>
            {
                await LoadAsync(database);
                await CopyToAsync(database);
            },
            settled: 100,
            minPasses: 12,
            maxPasses: 24);

        var loads = new List<double>();
        var copies = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            loads.Add(await LoadAsync(database));
            copies.Add(await CopyToAsync(database));
        }

        var loadMs = Percentiles.Median(loads);
        var copyMs = Percentiles.Median(copies);
        var report = new BenchmarkReport("load");
        report.Add("load_ms_10k", loadMs, $"median of {Rounds} new hosts, target < 100");
        report.Add("load_rows_per_s", Count / (loadMs / 1000), "into the in-process index, ready to recall");
        report.Add("copy_to_rows_per_s", Count / (copyMs / 1000), "plain binary COPY TO of the same rows");
        report.Add("load_vs_copy_to", copyMs / loadMs, "target >= 0.5");
        return report;
    }

    /// <summary>A new host loads the agent; returns milliseconds.</summary>
    private static Task<double> LoadAsync(BenchmarkDatabase database) => TimeLoadAsync(memory => memory.UsePostgres(database.ConnectionString), "loaded-0", Count);

    /// <summary>
    /// A new host on the store loads the agent; returns milliseconds. The host is started and connected (the
    /// baselines, too, connect before their timers), and the JIT is done with the host's own start-up code, as in a
    /// host that has been running: the timer covers loading the agent's memories.
    /// </summary>
    internal static async Task<double> TimeLoadAsync(Action<IAgentMemoryBuilder> store, string agentId, int expected)
    {
        await using var host = await BenchmarkHost.StartAsync(services => store(services.AddAgentMemory()));
        await host.Memory.LoadAgentAsync("nobody");
        await JitWarmup.SettleAsync();
        var gc = GcSnapshot.Take();
        var started = Stopwatch.GetTimestamp();
        var loaded = await host.Memory.LoadAgentAsync(agentId);
        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        Console.WriteLine($"  load {elapsed:F0} ms; {gc.Since()}");
        return loaded == expected ? elapsed : throw new InvalidOperationException($"Loaded {loaded} memories, expected {expected}.");
    }

    private static Task<BenchmarkHost> StartAsync(BenchmarkDatabase database) =>
        BenchmarkHost.StartAsync(services => services.AddAgentMemory().UsePostgres(database.ConnectionString));

    private static async Task<double> CopyToAsync(BenchmarkDatabase database)
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        var started = Stopwatch.GetTimestamp();
        var rows = 0;
        await using (var exporter = await connection.BeginBinaryExportAsync(
            $"COPY (SELECT {MemoryColumns.List} FROM agent_memory.memories WHERE agent_id = 'loaded-0' ORDER BY id) TO STDOUT (FORMAT BINARY)"))
        {
            while (await exporter.StartRowAsync() != -1)
            {
                await exporter.ReadAsync<string>();
                await exporter.ReadAsync<Guid>();
                await exporter.ReadAsync<short>();
                await exporter.ReadAsync<string>();
                await exporter.ReadAsync<string>(NpgsqlTypes.NpgsqlDbType.Jsonb);
                await exporter.ReadAsync<short>();
                await exporter.ReadAsync<double>();
                await exporter.ReadAsync<string[]>();
                await exporter.ReadAsync<DateTime>();
                await exporter.ReadAsync<DateTime>();
                await exporter.ReadAsync<DateTime>();
                await exporter.ReadAsync<long>();
                await exporter.ReadAsync<double>();
                await exporter.ReadAsync<Guid[]>();
                await exporter.ReadAsync<byte[]>();
                await exporter.ReadAsync<string>();
                if (exporter.IsNull)
                {
                    await exporter.SkipAsync();
                }
                else
                {
                    await exporter.ReadAsync<DateTime>();
                }

                await exporter.ReadAsync<long>();
                await exporter.ReadAsync<short>();
                await exporter.ReadAsync<bool>();
                rows++;
            }
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return rows == Count ? elapsed : throw new InvalidOperationException($"COPY TO read {rows} rows.");
    }
}
