using System.Diagnostics;
using AgentMemory.Benchmarks.Infrastructure;
using AgentMemory.PostgreSql.Storage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using NpgsqlTypes;

namespace AgentMemory.Benchmarks.Persistence;

/// <summary>
/// persist: 20,000 memories made durable through write-behind (RememberAsync, then FlushAsync), next to a naive
/// per-memory INSERT (own connection and transaction each) and one raw binary COPY of the same rows into the same table.
/// </summary>
internal static class PersistBenchmark
{
    private const int Count = 20_000;
    internal const int Agents = 10;
    private const int PerMemorySample = 3_000;
    private const int Rounds = 5;

    public static async Task<BenchmarkReport> RunAsync()
    {
        await using var database = await BenchmarkDatabase.CreateAsync();
        var vectors = BenchmarkMemories.Vectors(Count);
        Console.WriteLine($"Database {database.Name}; {Count:N0} memories, 384-float embeddings computed before timing.");

        // Migrate once, and warm up every path on throwaway rows at full size until the JIT has settled (each pass's
        // new hosts and data sources still compile a couple of hundred methods).
        await JitWarmup.RunAsync(
            async pass =>
            {
                await WriteBehindAsync(database, vectors, Count, $"warmup{pass}");
                await InMemoryAsync(vectors, Count, $"warmup-memory{pass}");
                await RawCopyAsync(database, BenchmarkMemories.Entries($"warmup-copy{pass}", Count, Agents, vectors, "bench"));
                await PerMemoryAsync(database, BenchmarkMemories.Entries($"warmup-row{pass}", 500, Agents, vectors, "bench"));
                await ResetAsync(database);
            },
            settled: 100,
            minPasses: 8,
            maxPasses: 20);

        var perMemory = new List<double>();
        var rawCopy = new List<double>();
        var writeBehind = new List<double>();
        var inMemory = new List<double>();
        for (var round = 1; round <= Rounds; round++)
        {
            perMemory.Add(await PerMemoryAsync(database, BenchmarkMemories.Entries($"row{round}", PerMemorySample, Agents, vectors, "bench")));
            await ResetAsync(database);
            rawCopy.Add(await RawCopyAsync(database, BenchmarkMemories.Entries($"copy{round}", Count, Agents, vectors, "bench")));
            await ResetAsync(database);
            writeBehind.Add(await WriteBehindAsync(database, vectors, Count, $"agent{round}"));
            await ResetAsync(database);
            inMemory.Add(await InMemoryAsync(vectors, Count, $"memory{round}"));
            Console.WriteLine($"  round {round}: per-memory {perMemory[^1]:N0}, raw COPY {rawCopy[^1]:N0}, write-behind {writeBehind[^1]:N0}, in-memory store {inMemory[^1]:N0} rows/s");
        }

        var (perMemoryMedian, rawCopyMedian, writeBehindMedian) = (Percentiles.Median(perMemory), Percentiles.Median(rawCopy), Percentiles.Median(writeBehind));
        var inMemoryMedian = Percentiles.Median(inMemory);
        var report = new BenchmarkReport("persist");
        report.Add("write_behind_rows_per_s", writeBehindMedian, $"{Count:N0} RememberAsync + FlushAsync, median of {Rounds}");
        report.Add("per_memory_rows_per_s", perMemoryMedian, $"{PerMemorySample:N0} rows, open + INSERT + commit each, median of {Rounds}");
        report.Add("raw_copy_rows_per_s", rawCopyMedian, $"one binary COPY of {Count:N0} rows, median of {Rounds}");
        report.Add("write_behind_vs_per_memory", writeBehindMedian / perMemoryMedian, "target >= 15");
        report.Add("write_behind_vs_raw_copy", writeBehindMedian / rawCopyMedian, "target >= 0.70");
        report.Add("in_memory_rows_per_s", inMemoryMedian, $"the same {Count:N0} RememberAsync + FlushAsync on the in-memory store (no database), median of {Rounds}");
        report.Add("in_memory_vs_raw_copy", inMemoryMedian / rawCopyMedian, "what the memory system's own work allows before any database write");
        return report;
    }

    private static async Task ResetAsync(BenchmarkDatabase database)
    {
        await database.ExecuteAsync("TRUNCATE agent_memory.memories, agent_memory.agents");
        await database.ExecuteAsync("VACUUM ANALYZE agent_memory.memories");
        await database.ExecuteAsync("CHECKPOINT");
    }

    private static Task<double> WriteBehindAsync(BenchmarkDatabase database, Dictionary<string, float[]> vectors, int count, string agentPrefix) =>
        RememberAllAsync(vectors, count, agentPrefix, "write-behind", builder => builder.UsePostgres(database.ConnectionString));

    /// <summary>
    /// The same memories remembered and flushed on the in-memory store: what the memory system's own work (validation,
    /// indexing, embedding, queueing) costs with no database, the ceiling of any store behind it.
    /// </summary>
    private static Task<double> InMemoryAsync(Dictionary<string, float[]> vectors, int count, string agentPrefix) =>
        RememberAllAsync(vectors, count, agentPrefix, "in-memory", _ => { });

    internal static async Task<double> RememberAllAsync(Dictionary<string, float[]> vectors, int count, string agentPrefix, string label, Action<IAgentMemoryBuilder> store)
    {
        var generator = new FixedEmbeddingGenerator(vectors);
        await using var host = await BenchmarkHost.StartAsync(services =>
        {
            services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(generator);
            store(services.AddAgentMemory());
        });
        var memory = host.Memory;
        for (var a = 0; a < Agents; a++)
        {
            await memory.LoadAgentAsync($"{agentPrefix}-{a}");
        }

        // The drafts are made before timing, and collected into the old generation like the baselines' rows, so the
        // timed part pays for what remembering keeps, not for promoting the benchmark's own input.
        var drafts = Enumerable.Range(0, count).Select(BenchmarkMemories.Draft).ToList();
        await JitWarmup.SettleAsync();
        GC.Collect();
        using var written = new WriterCounts();
        var calls = generator.Calls;
        var gc = GcSnapshot.Take();
        var started = Stopwatch.GetTimestamp();
        for (var i = 0; i < count; i++)
        {
            await memory.RememberAsync($"{agentPrefix}-{i % Agents}", drafts[i]);
        }

        var queued = Stopwatch.GetElapsedTime(started).TotalSeconds;
        await memory.FlushAsync();
        var seconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Console.WriteLine($"  {label} {count:N0}: remember loop {queued * 1000:F0} ms, total {seconds * 1000:F0} ms; {written}; {generator.Calls - calls:N0} embedding calls; {gc.Since()}");
        return count / seconds;
    }

    private static async Task<double> RawCopyAsync(BenchmarkDatabase database, List<MemoryEntry> entries)
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        await using var connection = await dataSource.OpenConnectionAsync();
        GC.Collect();
        var started = Stopwatch.GetTimestamp();
        await BenchmarkDatabase.CopyMemoriesAsync(connection, entries);
        return entries.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }

    private static async Task<double> PerMemoryAsync(BenchmarkDatabase database, List<MemoryEntry> entries)
    {
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var started = Stopwatch.GetTimestamp();
        foreach (var entry in entries)
        {
            await using var connection = await dataSource.OpenConnectionAsync();
            await using var transaction = await connection.BeginTransactionAsync();
            await using var insert = new NpgsqlCommand(
                $"INSERT INTO agent_memory.memories ({MemoryColumns.List}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20)",
                connection,
                transaction);
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.AgentId });
            insert.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = entry.Id });
            insert.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)entry.Type });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Content });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.Metadata.GetRawText(), NpgsqlDbType = NpgsqlDbType.Jsonb });
            insert.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)entry.Importance });
            insert.Parameters.Add(new NpgsqlParameter<double> { TypedValue = entry.Valence });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. entry.Tags] });
            insert.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = entry.CreatedAt.UtcDateTime });
            insert.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = entry.LastAccessedAt.UtcDateTime });
            insert.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = entry.UpdatedAt.UtcDateTime });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = entry.AccessCount });
            insert.Parameters.Add(new NpgsqlParameter<double> { TypedValue = entry.Utility });
            insert.Parameters.Add(new NpgsqlParameter<Guid[]> { TypedValue = [.. entry.SourceIds] });
            insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = System.Runtime.InteropServices.MemoryMarshal.AsBytes(entry.Embedding!.Value.Span).ToArray() });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = entry.EmbeddingModel });
            insert.Parameters.Add(new NpgsqlParameter { Value = DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = entry.Version });
            insert.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)entry.Source });
            insert.Parameters.Add(new NpgsqlParameter<bool> { TypedValue = entry.Trusted });
            await insert.ExecuteNonQueryAsync();
            await transaction.CommitAsync();
        }

        return entries.Count / Stopwatch.GetElapsedTime(started).TotalSeconds;
    }
}
