using AgentMemory.Benchmarks.Infrastructure;
using AgentMemory.Benchmarks.Persistence;

var arguments = BenchmarkArguments.Parse(args);
var report = arguments.Name switch
{
    "persist" when arguments.Store == "sqlite" => await AgentMemory.Benchmarks.Sqlite.SqlitePersistBenchmark.RunAsync(),
    "persist" => await PersistBenchmark.RunAsync(),
    "load" when arguments.Store == "sqlite" => await AgentMemory.Benchmarks.Sqlite.SqliteLoadBenchmark.RunAsync(),
    "remember-latency" => await RememberLatencyBenchmark.RunAsync(arguments.Embedder),
    "embedding-lag" => await EmbeddingLagBenchmark.RunAsync(),
    "load" => await LoadBenchmark.RunAsync(),
    "recall-latency" => await AgentMemory.Benchmarks.Retrieval.RecallLatencyBenchmark.RunAsync(arguments.Embedder),
    "learning" => await AgentMemory.Benchmarks.Learning.LearningBenchmark.RunAsync(),
    "locomo" => await AgentMemory.Benchmarks.Retrieval.LocomoBenchmark.RunAsync(arguments.Data, arguments.Embedder),
    "soak" => await AgentMemory.Benchmarks.Reliability.SoakBenchmark.RunAsync(arguments.Seconds ?? 60),
    "coherence" => await AgentMemory.Benchmarks.MultiHost.CoherenceBenchmark.RunAsync(arguments.Hosts ?? 3, arguments.Seconds ?? 20),
    _ => throw new ArgumentException($"Unknown benchmark '{arguments.Name}'. Known: persist, load, remember-latency, embedding-lag, recall-latency, locomo, learning, soak, coherence."),
};
report.Print();
report.Write(arguments.Out);
