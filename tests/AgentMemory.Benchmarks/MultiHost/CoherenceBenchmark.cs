using System.Collections.Concurrent;
using System.Diagnostics;
using AgentMemory.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace AgentMemory.Benchmarks.MultiHost;

/// <summary>
/// coherence: N hosts in one process (each its own service provider and data source) on one fresh database serve 50
/// shared agents: every host remembers, updates, forgets and recalls (two workers per host), and erases now and then.
/// Beside the workload, probes measure: the lag from a remember's return on one host to another host seeing the
/// memory; lost updates (two hosts change different fields of one memory at once: both must survive); resurrections
/// (a host erases an agent another host holds and keeps changing: nothing from before the erasure may come back); and
/// at the end, every host against the database, memory by memory, field by field. The same workload then runs on one
/// host (as many workers in all) on a fresh database, for the throughput ratio. A phase's writes count as done when
/// every host holds all of them (committed, and applied by every other host), so a backlog left when the writers stop
/// is paid inside the measured time; the probes' own wind-down is not.
/// </summary>
internal static class CoherenceBenchmark
{
    private const int Agents = 50;
    private const int WorkersPerHost = 2;

    /// <summary>The paced phase's rate, all hosts together: agents at work, not a load test.</summary>
    private const int PacedWritesPerSecond = 1_000;

    public static async Task<BenchmarkReport> RunAsync(int hosts, int seconds)
    {
        var report = new BenchmarkReport($"coherence ({hosts} hosts, {seconds} s per phase)");

        // Phase 1: a paced workload with the probes (lag, lost updates, resurrections, divergence).
        var paced = await RunWorkloadAsync(hosts, seconds, probes: true, pace: PacedWritesPerSecond);

        // Phase 2: the same workload flat out on N hosts, then on one host with as many workers, for throughput; the
        // probes run here too, so the lag under saturation is shown beside the paced one.
        var multi = await RunWorkloadAsync(hosts, seconds, probes: true, pace: null);
        var single = await RunWorkloadAsync(1, seconds, probes: false, pace: null, workers: hosts * WorkersPerHost);
        report.Add("visibility_lag_p50_ms", Percentiles.Of(paced.Lags, 50), $"{paced.Lags.Count} probes at {PacedWritesPerSecond} writes/s: remember on one host → seen on another");
        report.Add("visibility_lag_p99_ms", Percentiles.Of(paced.Lags, 99), "target ≤ 250");
        report.Add("lost_updates", paced.LostUpdates + multi.LostUpdates, $"of {paced.UpdateProbes + multi.UpdateProbes} concurrent two-field updates (both phases); target 0");
        report.Add("resurrected", paced.Resurrected + multi.Resurrected, $"of {paced.ErasedMemories + multi.ErasedMemories} memories erased under another host (both phases); target 0");
        report.Add("diverged_memories", paced.Diverged + multi.Diverged, $"of {paced.Compared + multi.Compared} memories compared, hosts × memories (both phases); target 0");
        report.Add("writes_per_s_multi", multi.WritesPerSecond, $"{hosts} hosts together, flat out");
        report.Add("writes_per_s_single", single.WritesPerSecond, "one host, same workload flat out, same run");
        report.Add("multi_vs_single", multi.WritesPerSecond / single.WritesPerSecond, "target ≥ 0.8");
        report.Add("drain_ms_multi", multi.DrainMilliseconds, "after the writers stopped, until every host held every write (inside writes_per_s_multi)");
        report.Add("drain_ms_single", single.DrainMilliseconds, "after the writers stopped, until the host's writes were committed (inside writes_per_s_single)");
        report.Add("saturated_lag_p50_ms", Percentiles.Of(multi.Lags, 50), $"{multi.Lags.Count} probes during the flat-out phase");
        report.Add("saturated_lag_p99_ms", Percentiles.Of(multi.Lags, 99), "the feed behind writers that use every core");
        return report;
    }

    private sealed class Outcome
    {
        public List<double> Lags { get; } = [];

        public int UpdateProbes { get; set; }

        public int LostUpdates { get; set; }

        public int ErasedMemories { get; set; }

        public int Resurrected { get; set; }

        public int Diverged { get; set; }

        public int Compared { get; set; }

        public double WritesPerSecond { get; set; }

        /// <summary>From the writers' stop until every host held every write.</summary>
        public double DrainMilliseconds { get; set; }
    }

    private static async Task<Outcome> RunWorkloadAsync(int hostCount, int seconds, bool probes, int? pace, int workers = WorkersPerHost)
    {
        await using var database = await BenchmarkDatabase.CreateAsync();
        var outcome = new Outcome();
        var hosts = new List<BenchmarkHost>();
        try
        {
            for (var h = 0; h < hostCount; h++)
            {
                hosts.Add(await BenchmarkHost.StartAsync(services => services.AddAgentMemory().UsePostgres(database.ConnectionString)));
            }

            // Every host holds every agent before the clock starts.
            var agents = Enumerable.Range(0, Agents).Select(a => $"agent-{a}").ToArray();
            await hosts[0].Memory.RememberManyAsync(agents[0], [new MemoryDraft("seed")]);
            foreach (var host in hosts)
            {
                foreach (var agent in agents)
                {
                    await host.Memory.LoadAgentAsync(agent);
                }
            }

            long writes = 0;
            var errors = new ConcurrentQueue<Exception>();
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds));
            var clock = Stopwatch.StartNew();
            var work = new List<Task>();
            for (var h = 0; h < hostCount; h++)
            {
                for (var w = 0; w < workers; w++)
                {
                    var memory = hosts[h].Memory;
                    var seed = (h * 100) + w;
                    var delay = pace is { } rate ? TimeSpan.FromSeconds(hostCount * workers / (double)rate) : TimeSpan.Zero;
                    work.Add(Task.Run(() => MixedWorkload.RunWorkerAsync(memory, agents, seed, delay, stop.Token, write => { if (write) { Interlocked.Increment(ref writes); } }, errors)));
                }
            }

            var probing = new List<Task>();
            if (probes)
            {
                probing.Add(Task.Factory.StartNew(() => ProbeVisibility(hosts, outcome, stop.Token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
                probing.Add(Task.Run(() => ProbeUpdatesAsync(hosts, outcome, stop.Token)));
                probing.Add(Task.Run(() => ProbeErasuresAsync(hosts, outcome, stop.Token)));
            }

            // The writes count as done when every host holds all of them: each host's written, and seen by every other
            // host. A feed that fell behind while the writers ran pays its backlog here, inside the measured time.
            await Task.WhenAll(work);
            var stopped = clock.Elapsed;
            foreach (var host in hosts)
            {
                await host.Memory.FlushAsync();
            }

            await ConvergeAsync(hosts, agents[0]);
            outcome.WritesPerSecond = writes / clock.Elapsed.TotalSeconds;
            outcome.DrainMilliseconds = (clock.Elapsed - stopped).TotalMilliseconds;
            await Task.WhenAll(probing);
            if (!errors.IsEmpty)
            {
                throw new AggregateException(errors);
            }

            foreach (var host in hosts)
            {
                await host.Memory.FlushAsync();
            }

            if (probes)
            {
                await CompareAsync(hosts, database, agents, outcome);
            }
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }

        return outcome;
    }

    /// <summary>
    /// Every 50 ms: remember on one host, then measure until another host sees it. The probe polls from a thread of its
    /// own: on the thread pool, beside workers that keep every pool thread busy, its own wake-ups came up to 80 ms after
    /// the reader had applied the change, which measured the probe rather than the change feed.
    /// </summary>
    private static void ProbeVisibility(List<BenchmarkHost> hosts, Outcome outcome, CancellationToken stop)
    {
        var random = new Random(7);
        while (!stop.IsCancellationRequested)
        {
            var writer = hosts[random.Next(hosts.Count)];
            var reader = hosts.Where(h => h != writer).ElementAt(random.Next(hosts.Count - 1));
            var agent = $"agent-{random.Next(Agents)}";
            var probe = writer.Memory.RememberAsync(agent, $"visibility probe {Guid.NewGuid():N}").AsTask().GetAwaiter().GetResult();
            var clock = Stopwatch.StartNew();

            while (reader.Memory.GetAsync(agent, probe.Id).AsTask().GetAwaiter().GetResult() is null)
            {
                if (clock.Elapsed > TimeSpan.FromSeconds(120))
                {
                    throw new TimeoutException($"A probe memory was not seen on another host within 120 s.");
                }

                Thread.Sleep(1);
            }

            lock (outcome.Lags)
            {
                outcome.Lags.Add(clock.Elapsed.TotalMilliseconds);
            }

            Thread.Sleep(50);
        }
    }

    /// <summary>Every 100 ms: two hosts change different fields of one memory at once; both changes must survive.</summary>
    private static async Task ProbeUpdatesAsync(List<BenchmarkHost> hosts, Outcome outcome, CancellationToken stop)
    {
        var expected = new List<(Guid Id, string Content, Importance Importance)>();
        var n = 0;
        while (!stop.IsCancellationRequested)
        {
            var (a, b) = (hosts[n % hosts.Count], hosts[(n + 1) % hosts.Count]);
            var memory = await a.Memory.RememberAsync("update-probes", $"update probe {n}");
            await a.Memory.FlushAsync();
            while (await b.Memory.GetAsync("update-probes", memory.Id) is null)
            {
                await Task.Delay(1);
            }
            var content = $"update probe {n} reworded";
            var importance = (Importance)(n % 4);
            await Task.WhenAll(
                a.Memory.UpdateAsync("update-probes", memory.Id, new MemoryUpdate { Content = content }).AsTask(),
                b.Memory.UpdateAsync("update-probes", memory.Id, new MemoryUpdate { Importance = importance }).AsTask());
            expected.Add((memory.Id, content, importance));
            n++;
            await Task.Delay(100, CancellationToken.None);
        }

        foreach (var host in hosts)
        {
            await host.Memory.FlushAsync();
        }

        await using var freshHost = FreshHost(hosts[0]);
        var fresh = freshHost.GetRequiredService<IMemorySystem>();
        outcome.UpdateProbes = expected.Count;
        foreach (var (id, content, importance) in expected)
        {
            if (await fresh.GetAsync("update-probes", id) is not { } stored || stored.Content != content || stored.Importance != importance)
            {
                outcome.LostUpdates++;
            }
        }
    }

    /// <summary>Every 500 ms: one host erases a probe agent another host holds, and that host changes it at once; nothing erased may come back.</summary>
    private static async Task ProbeErasuresAsync(List<BenchmarkHost> hosts, Outcome outcome, CancellationToken stop)
    {
        var erased = new List<(string Agent, Guid Id)>();
        var n = 0;
        while (!stop.IsCancellationRequested)
        {
            var agent = $"erase-probe-{n}";
            var (a, b) = (hosts[n % hosts.Count], hosts[(n + 1) % hosts.Count]);
            var memories = await a.Memory.RememberManyAsync(agent, [new MemoryDraft($"secret {n} one"), new MemoryDraft($"secret {n} two")]);
            await a.Memory.FlushAsync();
            await b.Memory.LoadAgentAsync(agent);
            await a.Memory.ForgetAgentAsync(agent);
            try
            {
                await b.Memory.UpdateAsync(agent, memories[0].Id, new MemoryUpdate { Importance = Importance.Critical });
                await b.Memory.RecallAsync(agent, new RecallRequest("secret"));
            }
            catch (MemoryNotFoundException)
            {
                // B already heard of the erasure.
            }

            erased.AddRange(memories.Select(m => (agent, m.Id)));
            n++;
            await Task.Delay(500, CancellationToken.None);
        }

        foreach (var host in hosts)
        {
            await host.Memory.FlushAsync();
        }

        await using var freshHost = FreshHost(hosts[0]);
        var fresh = freshHost.GetRequiredService<IMemorySystem>();
        outcome.ErasedMemories = erased.Count;
        foreach (var (agent, id) in erased)
        {
            if (await fresh.GetAsync(agent, id) is not null)
            {
                outcome.Resurrected++;
            }
        }
    }

    /// <summary>
    /// Waits until every host has applied everything the others wrote: each host remembers a marker (after its flush,
    /// so after all its writes), and the feed applies changes in commit order, so a host that sees the other hosts'
    /// markers has applied all they wrote before them.
    /// </summary>
    private static async Task ConvergeAsync(List<BenchmarkHost> hosts, string agent)
    {
        var markers = new List<(BenchmarkHost Writer, Guid Id)>();
        foreach (var host in hosts)
        {
            markers.Add((host, (await host.Memory.RememberAsync(agent, $"convergence marker {Guid.NewGuid():N}")).Id));
            await host.Memory.FlushAsync();
        }

        var clock = Stopwatch.StartNew();
        foreach (var reader in hosts)
        {
            foreach (var (writer, id) in markers.Where(m => m.Writer != reader))
            {
                while (await reader.Memory.GetAsync(agent, id) is null)
                {
                    if (clock.Elapsed > TimeSpan.FromSeconds(300))
                    {
                        throw new TimeoutException("The hosts did not converge within 300 s of the writers' stop.");
                    }

                    await Task.Delay(1);
                }
            }
        }
    }

    /// <summary>A new memory system on the same store as <paramref name="host"/>: what the database holds.</summary>
    private static ServiceProvider FreshHost(BenchmarkHost host)
    {
        var services = new ServiceCollection();
        services.AddAgentMemory().Configure(o => o.ChangeFeed.Enabled = false).UseStore(host.Services.GetRequiredService<AgentMemory.Storage.IMemoryStore>());
        return services.BuildServiceProvider();
    }

    /// <summary>Waits for every host to catch up, then counts memories a host holds differently from the database.</summary>
    private static async Task CompareAsync(List<BenchmarkHost> hosts, BenchmarkDatabase database, string[] agents, Outcome outcome)
    {
        await using var freshHost = FreshHost(hosts[0]);
        var fresh = freshHost.GetRequiredService<IMemorySystem>();
        var stored = new Dictionary<string, Dictionary<Guid, string>>();
        foreach (var agent in agents)
        {
            stored[agent] = Fields(await fresh.ListAsync(agent, new MemoryQuery { Limit = 10_000 }));
        }

        var deadline = Stopwatch.StartNew();
        while (true)
        {
            var diverged = 0;
            var compared = 0;
            foreach (var host in hosts)
            {
                foreach (var agent in agents)
                {
                    var held = Fields(await host.Memory.ListAsync(agent, new MemoryQuery { Limit = 10_000 }));
                    compared += stored[agent].Count;
                    diverged += stored[agent].Count(p => !held.TryGetValue(p.Key, out var fields) || fields != p.Value);
                    diverged += held.Keys.Count(id => !stored[agent].ContainsKey(id));
                }
            }

            outcome.Diverged = diverged;
            outcome.Compared = compared;
            if (diverged == 0 || deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                return;
            }

            await Task.Delay(100);
        }
    }

    private static Dictionary<Guid, string> Fields(MemoryPage page) => page.Items.ToDictionary(m => m.Id, AgentMemory.Testing.MemoryEntries.Fingerprint);
}
