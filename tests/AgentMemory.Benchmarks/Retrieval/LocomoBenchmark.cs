using System.Text.Json;
using AgentMemory.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMemory.Benchmarks.Retrieval;

/// <summary>
/// locomo: each conversation's turns become an agent's episodic memories; each question is recalled (recency and
/// importance weights 0) and the evidence turns scored; the reference BM25 of the data set's README runs on the same
/// turns in the same run. <c>--embedder</c> picks the built-in word hashing or a local ONNX model.
/// </summary>
internal static class LocomoBenchmark
{
    public static async Task<BenchmarkReport> RunAsync(string? path, string embedder)
    {
        path ??= Path.Combine("..", "shared", "datasets", "locomo", "dev.jsonl");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"No LoCoMo file at {Path.GetFullPath(path)}; pass --data PATH.", path);
        }

        var conversations = LocomoConversation.Read(path);
        var hybrid = new Dictionary<int, RankingScores>();
        var baseline = new Dictionary<int, RankingScores>();
        var hybridAll = new RankingScores();
        var hybridMain = new RankingScores();
        var baselineAll = new RankingScores();
        var baselineMain = new RankingScores();
        var weights = new RecallWeights { Relevance = 1, Recency = 0, Importance = 0, Utility = 0 };

        await using var host = await BenchmarkHost.StartAsync(services => BenchmarkEmbedders.Use(services.AddAgentMemory(), embedder));
        var memory = host.Memory;
        var queryGenerator = BenchmarkEmbedders.QueryGenerator(host.Services);
        var asQuery = new Microsoft.Extensions.AI.EmbeddingGenerationOptions { AdditionalProperties = new() { [EmbeddingPurpose.PropertyName] = EmbeddingPurpose.Query } };
        var embedSeconds = 0.0;
        var embedded = 0;
        var queryMs = new List<double>();
        var recallMs = new List<double>();
        foreach (var conversation in conversations)
        {
            var agent = $"locomo-{conversation.Id}";
            var contents = conversation.Turns.Select(t => $"{t.Speaker}: {t.Text}").ToList();
            var drafts = conversation.Turns.Select((t, i) => new MemoryDraft(contents[i])
            {
                Type = MemoryType.Episodic,
                CreatedAt = t.When,
                Metadata = JsonSerializer.SerializeToElement(new Dictionary<string, string> { ["turn"] = t.Id }),
            });
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await memory.RememberManyAsync(agent, drafts);
            await memory.FlushAsync();
            embedSeconds += System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds;
            embedded += contents.Count;
            var bm25 = new PlainBm25(contents);

            foreach (var question in conversation.Questions)
            {
                var queryStarted = System.Diagnostics.Stopwatch.GetTimestamp();
                await queryGenerator.GenerateAsync([question.Text], asQuery);
                queryMs.Add(System.Diagnostics.Stopwatch.GetElapsedTime(queryStarted).TotalMilliseconds);
                var recallStarted = System.Diagnostics.Stopwatch.GetTimestamp();
                var recalled = await memory.RecallAsync(agent, new RecallRequest(question.Text)
                {
                    MaxResults = 20,
                    Threshold = 0,
                    Weights = weights,
                    UpdateAccessStatistics = false,
                });
                recallMs.Add(System.Diagnostics.Stopwatch.GetElapsedTime(recallStarted).TotalMilliseconds);
                var ranked = recalled.Select(r => r.Memory.Metadata.GetProperty("turn").GetString()!).ToList();
                var baselineRanked = bm25.Rank(question.Text, 20).Select(i => conversation.Turns[i].Id).ToList();
                Score(hybrid, hybridAll, hybridMain, question, ranked);
                Score(baseline, baselineAll, baselineMain, question, baselineRanked);
            }

            Console.WriteLine($"{conversation.Id}: {conversation.Turns.Count} turns, {conversation.Questions.Count} questions");
        }

        var report = new BenchmarkReport("locomo");
        report.Add("r_at_1", hybridAll.Recall(1), $"{embedder} embedder; {hybridAll.Questions} questions, all categories");
        report.Add("r_at_5", hybridAll.Recall(5));
        report.Add("r_at_10", hybridAll.Recall(10));
        report.Add("r_at_20", hybridAll.Recall(20));
        report.Add("hit_at_5", hybridAll.Hit(5));
        report.Add("hit_at_10", hybridAll.Hit(10));
        report.Add("mrr", hybridAll.Mrr);
        report.Add("r_at_10_cat1_4", hybridMain.Recall(10), $"{hybridMain.Questions} questions");
        report.Add("bm25_r_at_10_cat1_4", baselineMain.Recall(10), "the data set's reference BM25 (k1 1.2, b 0.75, its stop words), same turns; its README: 0.571");
        report.Add("bm25_r_at_10", baselineAll.Recall(10));
        report.Add("gain_r_at_10_cat1_4", hybridMain.Recall(10) - baselineMain.Recall(10), "r_at_10_cat1_4 target: builtin >= 0.61, onnx >= 0.67");
        report.Add("embed_sentences_per_s", embedded / embedSeconds, $"{embedded:N0} turns remembered and flushed with their embeddings, {Environment.ProcessorCount} cores");
        report.Add("query_embed_p50_ms", Percentiles.Median(queryMs), "one question embedded as a query by the host's generator");
        report.Add("recall_p50_ms", Percentiles.Median(recallMs), "RecallAsync, query embedding included");
        foreach (var category in hybrid.Keys.Order())
        {
            report.Add($"r_at_10_cat{category}", hybrid[category].Recall(10), $"{hybrid[category].Questions} questions; BM25 {baseline[category].Recall(10):0.000}");
        }

        return report;
    }

    private static void Score(Dictionary<int, RankingScores> byCategory, RankingScores all, RankingScores main, LocomoQuestion question, List<string> ranked)
    {
        if (!byCategory.TryGetValue(question.Category, out var scores))
        {
            scores = new RankingScores();
            byCategory[question.Category] = scores;
        }

        scores.Add(ranked, question.Evidence);
        all.Add(ranked, question.Evidence);
        if (question.Category is >= 1 and <= 4)
        {
            main.Add(ranked, question.Evidence);
        }
    }
}
