using System.Diagnostics;
using AgentMemory.Benchmarks.Infrastructure;
using AgentMemory.Benchmarks.Persistence;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMemory.Benchmarks.Sqlite;

/// <summary>
/// persist --store sqlite: 20,000 memories made durable through write-behind (RememberAsync, then FlushAsync) into a
/// SQLite file, next to a raw bulk insert of the same rows into the same table (one prepared statement, one
/// transaction) and a per-memory insert-and-commit, each on a fresh file in the same folder, in the same run.
/// </summary>
internal static class SqlitePersistBenchmark
{
    private const int Count = 20_000;
    private const int PerMemorySample = 2_000;
    private const int Rounds = 5;

    public static async Task<BenchmarkReport> RunAsync()
    {
        var vectors = BenchmarkMemories.Vectors(Count);
        Console.WriteLine($"SQLite files in {Path.GetTempPath()}; {Count:N0} memories, 384-float embeddings computed before timing.");
        await JitWarmup.RunAsync(
            async pass =>
            {
                await WriteBehindAsync(vectors, $"warmup{pass}");
                await RawInsertAsync(BenchmarkMemories.Entries($"warmup-raw{pass}", Count, PersistBenchmark.Agents, vectors, "bench"));
                await PerMemoryAsync(BenchmarkMemories.Entries($"warmup-row{pass}", 200, PersistBenchmark.Agents, vectors, "bench"));
            },
            settled: 100,
            minPasses: 5,
            maxPasses: 12);

        var perMemory = new List<double>();
        var raw = new List<double>();
        var writeBehind = new List<double>();
        for (var round = 1; round <= Rounds; round++)
        {
            perMemory.Add(await PerMemoryAsync(BenchmarkMemories.Entries($"row{round}", PerMemorySample, PersistBenchmark.Agents, vectors, "bench")));
            raw.Add(await RawInsertAsync(BenchmarkMemories.Entries($"raw{round}", Count, PersistBenchmark.Agents, vectors, "bench")));
            writeBehind.Add(await WriteBehindAsync(vectors, $"agent{round}"));
            Console.WriteLine($"  round {round}: per-memory {perMemory[^1]:N0}, raw bulk insert {raw[^1]:N0}, write-behind {writeBehind[^1]:N0} rows/s");
        }

        var (perMemoryMedian, rawMedian, writeBehindMedian) = (Percentiles.Median(perMemory), Percentiles.Median(raw), Percentiles.Median(writeBehind));
        var report = new BenchmarkReport("persist");
        report.Add("write_behind_rows_per_s", writeBehindMedian, $"SQLite: {Count:N0} RememberAsync + FlushAsync, median of {Rounds}");
        report.Add("per_memory_rows_per_s", perMemoryMedian, $"{PerMemorySample:N0} rows, open + INSERT + synchronous commit each, median of {Rounds}");
        report.Add("raw_copy_rows_per_s", rawMedian, $"raw bulk insert: one prepared INSERT, {Count:N0} rows, one transaction, median of {Rounds}");
        report.Add("write_behind_vs_per_memory", writeBehindMedian / perMemoryMedian, "target >= 15");
        report.Add("write_behind_vs_raw_copy", writeBehindMedian / rawMedian, "target >= 0.70");
        return report;
    }

    private static async Task<double> WriteBehindAsync(Dictionary<string, float[]> vectors, string agentPrefix)
    {
        await using var file = await SqliteBenchmarkFile.CreateAsync();
        return await PersistBenchmark.RememberAllAsync(vectors, Count, agentPrefix, "write-behind", builder => builder.UseSqlite(file.ConnectionString));
    }

    private static async Task<double> RawInsertAsync(List<MemoryEntry> entries)
    {
        await using var file = await SqliteBenchmarkFile.CreateAsync();
        using var connection = file.Open();
        GC.Collect();
        var started = Stopwatch.GetTimestamp();
        using (var transaction = connection.BeginTransaction())
        using (var insert = SqliteBenchmarkFile.Insert(connection))
        {
            insert.Transaction = transaction;
            foreach (var entry in entries)
            {
                SqliteBenchmarkFile.Bind(insert, entry);
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        return entries.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task<double> PerMemoryAsync(List<MemoryEntry> entries)
    {
        await using var file = await SqliteBenchmarkFile.CreateAsync();
        var started = Stopwatch.GetTimestamp();
        foreach (var entry in entries)
        {
            using var connection = file.Open();
            using var transaction = connection.BeginTransaction();
            using var insert = SqliteBenchmarkFile.Insert(connection);
            insert.Transaction = transaction;
            SqliteBenchmarkFile.Bind(insert, entry);
            insert.ExecuteNonQuery();
            transaction.Commit();
        }

        return entries.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
