using System.Collections.Concurrent;
using System.Diagnostics;
using AgentMemory.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace AgentMemory.Benchmarks.Reliability;

/// <summary>
/// soak: 200 agents on PostgreSQL, 8 concurrent writers (remembers with some updates and forgets), 2 readers
/// recalling (a recall every 5 ms each, as agents about to work on tasks), consolidation of a random agent every second and the background service on a short interval, for a set
/// time (default 60 s) or until 2,000,000 writes; each writer forgets its oldest memory per new one beyond 30,000, so
/// the data reaches a steady state and memory use must level off. Then the database must equal the in-memory state, agent by agent
/// and memory by memory (id and version). Prints throughput, recall p99, working set and managed heap every 10 s.
/// </summary>
internal static class SoakBenchmark
{
    private const int Agents = 200;
    private const int Writers = 8;
    private const int Readers = 2;
    private const long MaxWrites = 2_000_000;

    /// <summary>Memories each writer keeps alive; beyond it, it forgets its oldest one per new one (a steady state of about 240,000 memories).</summary>
    private const int LivePerWriter = 30_000;
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(10);

    public static async Task<BenchmarkReport> RunAsync(int seconds)
    {
        await using var database = await BenchmarkDatabase.CreateAsync();
        var process = Process.GetCurrentProcess();
        long written = 0, peakWorkingSet = 0, peakHeap = 0;
        var recallTimes = new ConcurrentBag<double>();
        var windowRecalls = new ConcurrentQueue<double>();
        var errors = new ConcurrentQueue<Exception>();

        await using (var host = await BenchmarkHost.StartAsync(services => services
            .AddAgentMemory().Configure(o =>
            {
                o.Consolidation.StartupDelay = TimeSpan.FromSeconds(5);
                o.Consolidation.Interval = TimeSpan.FromSeconds(20);
                o.Consolidation.WorkingCapacity = 10;
            })
            .UsePostgres(database.ConnectionString)))
        {
            var memory = host.Memory;
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
            var started = Stopwatch.StartNew();

            var writers = Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
            {
                var random = new Random(1000 + w);
                var mine = new List<(string Agent, Guid Id)>();
                var oldest = 0;
                try
                {
                    for (var n = 0; !stop.IsCancellationRequested && Interlocked.Read(ref written) < MaxWrites; n++)
                    {
                        var agent = $"soak-agent-{random.Next(Agents)}";
                        switch (random.Next(20))
                        {
                            case 0 when mine.Count > oldest:
                                var target = mine[random.Next(oldest, mine.Count)];
                                try
                                {
                                    await memory.UpdateAsync(target.Agent, target.Id, new MemoryUpdate { Importance = (Importance)random.Next(4) });
                                }
                                catch (MemoryNotFoundException)
                                {
                                    // Consolidated away or forgotten meanwhile: that is fine.
                                }

                                break;
                            case 1 when mine.Count > oldest:
                                var forget = mine[random.Next(oldest, mine.Count)];
                                await memory.ForgetAsync(forget.Agent, forget.Id);
                                break;
                            default:
                                var type = random.Next(10) == 0 ? MemoryType.Working : MemoryType.Episodic;
                                var entry = await memory.RememberAsync(agent, new MemoryDraft($"writer {w} event {n} about topic {random.Next(500)} in area {random.Next(40)}") { Type = type, Importance = random.Next(10) switch { < 4 => Importance.Low, < 9 => Importance.Medium, _ => Importance.High }, Tags = [$"area-{random.Next(40)}"] });
                                mine.Add((agent, entry.Id));
                                if (mine.Count - oldest > LivePerWriter)
                                {
                                    var expired = mine[oldest++];
                                    await memory.ForgetAsync(expired.Agent, expired.Id);
                                }

                                break;
                        }

                        Interlocked.Increment(ref written);
                    }
                }
                catch (Exception ex)
                {
                    errors.Enqueue(ex);
                }
            })).ToList();

            var readers = Enumerable.Range(0, Readers).Select(r => Task.Run(async () =>
            {
                var random = new Random(2000 + r);
                try
                {
                    while (!stop.IsCancellationRequested)
                    {
                        var begin = Stopwatch.GetTimestamp();
                        await memory.RecallAsync($"soak-agent-{random.Next(Agents)}", new RecallRequest($"topic {random.Next(500)} in area {random.Next(40)}") { MaxResults = 10 });
                        var ms = Stopwatch.GetElapsedTime(begin).TotalMilliseconds;
                        recallTimes.Add(ms);
                        windowRecalls.Enqueue(ms);

                        // An agent recalls before each task, not in a tight loop: each recall also writes access statistics.
                        await Task.Delay(5);
                    }
                }
                catch (Exception ex)
                {
                    errors.Enqueue(ex);
                }
            })).ToList();

            var consolidator = Task.Run(async () =>
            {
                var random = new Random(3000);
                try
                {
                    while (!stop.IsCancellationRequested)
                    {
                        await Task.Delay(1000);
                        await memory.ConsolidateAsync($"soak-agent-{random.Next(Agents)}");
                    }
                }
                catch (Exception ex)
                {
                    errors.Enqueue(ex);
                }
            });

            Console.WriteLine("  time   writes/s   recall p99 ms   working set MB   managed heap MB");
            var lastWritten = 0L;
            var lastWindow = TimeSpan.Zero;
            while (!stop.IsCancellationRequested && !writers.All(t => t.IsCompleted))
            {
                await Task.Delay(1000);
                process.Refresh();
                peakWorkingSet = Math.Max(peakWorkingSet, process.WorkingSet64);
                peakHeap = Math.Max(peakHeap, GC.GetGCMemoryInfo().HeapSizeBytes);
                if (started.Elapsed - lastWindow >= Window)
                {
                    var now = Interlocked.Read(ref written);
                    var window = new List<double>();
                    while (windowRecalls.TryDequeue(out var ms))
                    {
                        window.Add(ms);
                    }

                    Console.WriteLine($"  {started.Elapsed.TotalSeconds,4:0}s  {(now - lastWritten) / (started.Elapsed - lastWindow).TotalSeconds,9:0}  {Percentiles.Of(window, 99),14:0.00}  {process.WorkingSet64 / 1048576.0,15:0}  {GC.GetGCMemoryInfo().HeapSizeBytes / 1048576.0,16:0}");
                    lastWritten = now;
                    lastWindow = started.Elapsed;
                }
            }

            await stop.CancelAsync();
            await Task.WhenAll(writers.Concat(readers).Append(consolidator));
            var elapsed = started.Elapsed;
            if (!errors.IsEmpty)
            {
                throw new AggregateException("The soak's workers failed.", errors);
            }

            // Stopping the host stops the background consolidation and drains the writer: the state to compare is final.
            await memory.FlushAsync();
            await host.StopAsync();

            // What the live memories hold, without the garbage a peak includes (the peak grows with the write rate).
            var liveHeap = GC.GetTotalMemory(forceFullCollection: true);
            var (lost, duplicated, compared) = await CompareAsync(memory, database.ConnectionString);
            Console.WriteLine($"  compared {compared} memories of {Agents} agents with the database");

            var report = new BenchmarkReport("soak");
            report.Add("memories_written", written, $"in {elapsed.TotalSeconds:0} s: remembers, updates and forgets");
            report.Add("memories_lost", lost, "in memory but missing or older in the database; must be 0");
            report.Add("memories_duplicated", duplicated, "in the database but not in memory (forgotten or merged ones left behind); must be 0");
            report.Add("recall_p99_ms", Percentiles.Of([.. recallTimes], 99), $"{recallTimes.Count} recalls");
            report.Add("peak_working_set_mb", peakWorkingSet / 1048576.0);
            report.Add("peak_managed_heap_mb", peakHeap / 1048576.0);
            report.Add("writes_per_s", written / elapsed.TotalSeconds);
            report.Add("live_heap_mb", liveHeap / 1048576.0, "managed heap after a full collection at the end, the agents still loaded");
            report.Add("live_bytes_per_memory", (double)liveHeap / Math.Max(1, compared), $"over the {compared} memories compared");
            return report;
        }
    }

    /// <summary>Compares every agent's memories in process with the database's rows: (lost, duplicated, compared).</summary>
    private static async Task<(long Lost, long Duplicated, long Compared)> CompareAsync(IMemorySystem memory, string connectionString)
    {
        long lost = 0, duplicated = 0, compared = 0;
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        for (var a = 0; a < Agents; a++)
        {
            var agent = $"soak-agent-{a}";
            var inMemory = new Dictionary<Guid, long>();
            for (var offset = 0; ; offset += 10_000)
            {
                var page = await memory.ListAsync(agent, new MemoryQuery { Offset = offset, Limit = 10_000 });
                foreach (var entry in page.Items)
                {
                    inMemory[entry.Id] = entry.Version;
                }

                if (offset + page.Items.Count >= page.TotalCount)
                {
                    break;
                }
            }

            var inDatabase = new Dictionary<Guid, long>();
            await using (var command = new NpgsqlCommand("SELECT id, version FROM agent_memory.memories WHERE agent_id = $1", connection) { Parameters = { new() { Value = agent } } })
            await using (var reader = await command.ExecuteReaderAsync())
            {
                while (await reader.ReadAsync())
                {
                    inDatabase[reader.GetGuid(0)] = reader.GetInt64(1);
                }
            }

            lost += inMemory.Count(m => !inDatabase.TryGetValue(m.Key, out var version) || version < m.Value);
            duplicated += inDatabase.Keys.Count(id => !inMemory.ContainsKey(id));
            compared += inMemory.Count;
        }

        return (lost, duplicated, compared);
    }
}
