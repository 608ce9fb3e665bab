using System.Diagnostics;
using AgentMemory.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMemory.Benchmarks.Retrieval;

/// <summary>
/// recall-latency: RecallAsync p50/p99 on one agent with 10,000 and 100,000 memories, next to a search written the
/// obvious way on the same vectors: the query embedded by the same generator, a dictionary of records each holding its
/// own float[], cosine per record, full sort, take k. With <c>--embedder onnx</c> (or <c>onnx-minilm</c>) the memories
/// and queries are embedded by the local model, and only the 10,000 size runs (embedding 100,000 memories on two cores
/// takes a quarter of an hour).
/// </summary>
internal static class RecallLatencyBenchmark
{
    private const int Queries = 200;
    private const int Warmup = 50;

    private static readonly string[] Subjects = ["the deploy pipeline", "a customer refund", "the billing export", "the search index", "a failed backup", "the onboarding email", "the latency alert", "the security review", "a flaky test", "the database migration"];
    private static readonly string[] Actions = ["broke after", "was fixed by", "needed", "was slowed down by", "was approved after", "timed out during", "was retried after", "depended on"];
    private static readonly string[] Objects = ["a config change", "the new cache", "rolling back the release", "a schema change", "a manual review", "increasing the timeout", "the vendor update", "a restart of the worker", "a missing index", "the holiday freeze"];

    public static async Task<BenchmarkReport> RunAsync(string embedder)
    {
        var report = new BenchmarkReport("recall-latency");
        foreach (var size in embedder == "builtin" ? [10_000, 100_000] : new[] { 10_000 })
        {
            var (p50, p99, naiveP50) = await MeasureAsync(size, embedder);
            var label = size == 10_000 ? "10k" : "100k";
            report.Add($"p50_ms_{label}", p50, embedder != "builtin" ? $"{embedder} embedder, query embedding included; target <= 20" : size == 10_000 ? "target < 1" : "target < 8");
            report.Add($"p99_ms_{label}", p99, size == 10_000 && embedder == "builtin" ? "target < 3" : string.Empty);
            report.Add($"naive_p50_ms_{label}", naiveP50, "query embedding + dictionary of float[] + cosine + full sort");
            report.Add($"naive_vs_recall_{label}", naiveP50 / p50, size == 100_000 ? "target >= 3" : string.Empty);
        }

        return report;
    }

    private static string Sentence(Random random, int i) =>
        $"{Subjects[random.Next(Subjects.Length)]} {Actions[random.Next(Actions.Length)]} {Objects[random.Next(Objects.Length)]} on ticket {i}";

    private static async Task<(double P50, double P99, double NaiveP50)> MeasureAsync(int size, string embedder)
    {
        await using var host = await BenchmarkHost.StartAsync(services => BenchmarkEmbedders.Use(services.AddAgentMemory(), embedder));
        var memory = host.Memory;
        var random = new Random(42);
        var drafts = Enumerable.Range(0, size).Select(i => (MemoryDraft)Sentence(random, i)).ToList();
        for (var start = 0; start < size; start += 5_000)
        {
            await memory.RememberManyAsync("agent", drafts.Skip(start).Take(5_000));
        }

        await memory.FlushAsync();
        Console.WriteLine($"{size:N0} memories remembered and embedded.");

        // The obvious way, on the same vectors.
        var naive = new Dictionary<Guid, NaiveRecord>();
        for (var offset = 0; offset < size; offset += 10_000)
        {
            foreach (var entry in (await memory.ListAsync("agent", new MemoryQuery { Offset = offset, Limit = 10_000 })).Items)
            {
                naive[entry.Id] = new NaiveRecord(entry.Id, entry.Content, entry.Embedding!.Value.ToArray());
            }
        }

        var generator = BenchmarkEmbedders.QueryGenerator(host.Services);
        var asQuery = new Microsoft.Extensions.AI.EmbeddingGenerationOptions { AdditionalProperties = new() { [EmbeddingPurpose.PropertyName] = EmbeddingPurpose.Query } };
        var queries = Enumerable.Range(0, Warmup + Queries).Select(i => Sentence(random, random.Next(size))).ToList();
        // Recall alone, over the warm-up queries, until the JIT has settled: the measured queries then run the code a
        // long-running host runs (without this, a thousand methods were compiled among the measured queries).
        await JitWarmup.RunAsync(
            async _ =>
            {
                foreach (var query in queries.Take(Warmup))
                {
                    await memory.RecallAsync("agent", new RecallRequest(query) { MaxResults = 10, UpdateAccessStatistics = false });
                }

                await JitWarmup.SettleAsync();
            },
            settled: 10,
            minPasses: 3,
            maxPasses: 10);

        var samples = new List<double>();
        var naiveSamples = new List<double>();
        var gc = GcSnapshot.Take();
        for (var q = 0; q < queries.Count; q++)
        {
            var started = Stopwatch.GetTimestamp();
            var results = await memory.RecallAsync("agent", new RecallRequest(queries[q]) { MaxResults = 10, UpdateAccessStatistics = false });
            var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

            started = Stopwatch.GetTimestamp();
            var queryVector = (await generator.GenerateAsync([queries[q]], asQuery))[0].Vector.ToArray();
            var top = NaiveSearch(naive, queryVector, 10);
            var naiveElapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (results.Count == 0 || top.Count == 0)
            {
                throw new InvalidOperationException("A query found nothing.");
            }

            if (q >= Warmup)
            {
                samples.Add(elapsed);
                naiveSamples.Add(naiveElapsed);
            }
        }

        Console.WriteLine($"  {size:N0}: {queries.Count} recalls and naive searches; {gc.Since()}");
        return (Percentiles.Of(samples, 50), Percentiles.Of(samples, 99), Percentiles.Of(naiveSamples, 50));
    }

    private static List<NaiveRecord> NaiveSearch(Dictionary<Guid, NaiveRecord> records, float[] query, int k)
    {
        var scored = new List<(NaiveRecord Record, double Score)>();
        foreach (var record in records.Values)
        {
            double dot = 0, a = 0, b = 0;
            for (var i = 0; i < query.Length; i++)
            {
                dot += query[i] * record.Vector[i];
                a += query[i] * query[i];
                b += record.Vector[i] * record.Vector[i];
            }

            scored.Add((record, dot / (Math.Sqrt(a) * Math.Sqrt(b) + 1e-12)));
        }

        scored.Sort((x, y) => y.Score.CompareTo(x.Score));
        return [.. scored.Take(k).Select(s => s.Record)];
    }

    private sealed record NaiveRecord(Guid Id, string Content, float[] Vector);
}
