using System.Diagnostics;
using AgentMemory.Benchmarks.Infrastructure;
using AgentMemory.Benchmarks.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMemory.Benchmarks.Sqlite;

/// <summary>
/// load --store sqlite: a new host loads an agent with 10,000 memories (384-float embeddings) from a SQLite file; next
/// to a plain read of the same rows (one SELECT, every column read by its getter) on the same file.
/// </summary>
internal static class SqliteLoadBenchmark
{
    private const int Count = 10_000;
    private const int Rounds = 7;

    public static async Task<BenchmarkReport> RunAsync()
    {
        await using var file = await SqliteBenchmarkFile.CreateAsync();
        var vectors = BenchmarkMemories.Vectors(Count);
        var model = $"{HashingEmbeddingGenerator.ProviderName}/{new HashingEmbeddingGenerator().ModelId}";
        using (var connection = file.Open())
        using (var transaction = connection.BeginTransaction())
        using (var insert = SqliteBenchmarkFile.Insert(connection))
        {
            insert.Transaction = transaction;
            foreach (var entry in BenchmarkMemories.Entries("loaded", Count, 1, vectors, model))
            {
                SqliteBenchmarkFile.Bind(insert, entry);
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        await JitWarmup.RunAsync(
            async _ =>
            {
                await LoadAsync(file);
                PlainRead(file);
            },
            settled: 100,
            minPasses: 12,
            maxPasses: 24);

        var loads = new List<double>();
        var reads = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            loads.Add(await LoadAsync(file));
            reads.Add(PlainRead(file));
        }

        var loadMs = Percentiles.Median(loads);
        var readMs = Percentiles.Median(reads);
        var report = new BenchmarkReport("load");
        report.Add("load_ms_10k", loadMs, $"SQLite: median of {Rounds} new hosts, target < 100");
        report.Add("load_rows_per_s", Count / (loadMs / 1000), "into the in-process index, ready to recall");
        report.Add("copy_to_rows_per_s", Count / (readMs / 1000), "plain read of the same rows: one SELECT, each column by its getter");
        report.Add("load_vs_copy_to", readMs / loadMs, "target >= 0.5");
        return report;
    }

    private static Task<double> LoadAsync(SqliteBenchmarkFile file) =>
        LoadBenchmark.TimeLoadAsync(memory => memory.UseSqlite(file.ConnectionString), "loaded-0", Count);

    private static double PlainRead(SqliteBenchmarkFile file)
    {
        using var connection = file.Open();
        var started = Stopwatch.GetTimestamp();
        using var command = connection.CreateCommand();
        command.CommandText =
            "SELECT agent_id, id, type, content, metadata, importance, valence, tags, created_at, last_accessed_at, updated_at, " +
            "access_count, utility, source_ids, embedding, embedding_model, expires_at, version, source, trusted FROM memories WHERE agent_id = 'loaded-0' ORDER BY id";
        using var reader = command.ExecuteReader();
        var rows = 0;
        while (reader.Read())
        {
            _ = reader.GetString(0);
            _ = reader.GetValue(1);
            _ = reader.GetInt32(2);
            _ = reader.GetString(3);
            _ = reader.GetString(4);
            _ = reader.GetInt32(5);
            _ = reader.GetDouble(6);
            _ = reader.GetString(7);
            _ = reader.GetInt64(8);
            _ = reader.GetInt64(9);
            _ = reader.GetInt64(10);
            _ = reader.GetInt64(11);
            _ = reader.GetDouble(12);
            _ = reader.IsDBNull(13) ? null : reader.GetValue(13);
            _ = reader.GetValue(14);
            _ = reader.GetString(15);
            _ = reader.IsDBNull(16) ? (long?)null : reader.GetInt64(16);
            _ = reader.GetInt64(17);
            _ = reader.GetInt32(18);
            _ = reader.GetBoolean(19);
            rows++;
        }

        var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        return rows == Count ? elapsed : throw new InvalidOperationException($"The plain read found {rows} rows.");
    }
}
