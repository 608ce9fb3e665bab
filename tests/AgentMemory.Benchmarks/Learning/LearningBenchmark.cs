using System.Text.Json;
using AgentMemory.Benchmarks.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace AgentMemory.Benchmarks.Learning;

/// <summary>
/// learning: a seeded simulation. 30 task families, each with one hidden correct approach out of 6, phrased through
/// five templates shared by all families (so most words of a task say nothing about its family). The agent follows
/// the best-ranked recalled success that no better-ranked failure contradicts, else tries an approach no recalled
/// outcome failed with; 10 rounds of 30 tasks. Agents: memory + learning, memory with learning off, no memory, and
/// memory + learning with word-match relevance only (semantic share 0), and the same policy with perfect recall (handed
/// exactly its family's past outcomes), the ceiling of any memory on this simulation. One world's figure swings by several points with its seed (which
/// family hides which approach, which template each task gets, the agent's random picks), so the simulation runs in
/// <see cref="Worlds"/> seeded worlds and reports the mean. Time is simulated (one minute per task) so every run gives
/// the same figures; background consolidation is off, as this measures recall and learning.
/// </summary>
internal static class LearningBenchmark
{
    private const int Families = 30;
    private const int Rounds = 10;
    private const int Worlds = 30;
    private static readonly string[] Approaches = ["escalate to tier two", "issue a refund", "reset the credentials", "reconfigure the integration", "roll back the release", "send the documentation"];
    private static readonly string[] Topics =
    [
        "invoice", "password", "webhook", "shipping", "export", "calendar", "printer", "vpn", "mailbox", "license",
        "backup", "dashboard", "payroll", "sso", "api-key", "storage", "firewall", "timezone", "translation", "checkout",
        "coupon", "subscription", "avatar", "notification", "search", "sandbox", "certificate", "quota", "migration", "analytics",
    ];

    private static readonly string[] Templates =
    [
        "Customer reports a {0} problem on account {1}",
        "Please handle the {0} request from user {1}",
        "User {1} cannot get the {0} working",
        "Ticket {1}: something is wrong with the {0}",
        "The {0} broke again for client {1}, fix it",
    ];

    public static async Task<BenchmarkReport> RunAsync()
    {
        var learning = new double[Rounds];
        var memoryOnly = new double[Rounds];
        var none = new double[Rounds];
        var lexical = new double[Rounds];
        var perfect = new double[Rounds];
        var perWorld = new List<double>();
        Console.WriteLine("world  rounds 4-10: memory+learning  memory only  no memory  learning, word match only  perfect recall");
        for (var world = 1; world <= Worlds; world++)
        {
            var runs = new[]
            {
                await SimulateAsync(world, useMemory: true, learn: true),
                await SimulateAsync(world, useMemory: true, learn: false),
                await SimulateAsync(world, useMemory: false, learn: false),
                await SimulateAsync(world, useMemory: true, learn: true, semanticShare: 0),
                await SimulateAsync(world, useMemory: false, learn: false, perfectRecall: true),
            };
            Console.WriteLine($"{world,5}  {runs[0].Skip(3).Average(),28:P1}  {runs[1].Skip(3).Average(),11:P1}  {runs[2].Skip(3).Average(),9:P1}  {runs[3].Skip(3).Average(),25:P1}  {runs[4].Skip(3).Average(),14:P1}");
            perWorld.Add(runs[0].Skip(3).Average());
            for (var r = 0; r < Rounds; r++)
            {
                learning[r] += runs[0][r] / Worlds;
                memoryOnly[r] += runs[1][r] / Worlds;
                none[r] += runs[2][r] / Worlds;
                lexical[r] += runs[3][r] / Worlds;
                perfect[r] += runs[4][r] / Worlds;
            }
        }

        Console.WriteLine();
        Console.WriteLine($"round  memory+learning  memory only  no memory  learning, word match only   (mean of {Worlds} worlds)");
        for (var r = 0; r < Rounds; r++)
        {
            Console.WriteLine($"{r + 1,5}  {learning[r],15:P0}  {memoryOnly[r],11:P0}  {none[r],9:P0}  {lexical[r],25:P0}  {new string('#', (int)(learning[r] * 30))}");
        }

        var report = new BenchmarkReport("learning");
        report.Add("success_4_10_learning", learning.Skip(3).Average(), $"target >= 0.90; mean of {Worlds} worlds");
        var mean = perWorld.Average();
        report.Add("success_4_10_learning_stderr", Math.Sqrt(perWorld.Sum(x => (x - mean) * (x - mean)) / (Worlds - 1) / Worlds), "standard error of that mean over the worlds");
        report.Add("success_4_10_memory_only", memoryOnly.Skip(3).Average());
        report.Add("success_4_10_no_memory", none.Skip(3).Average(), "chance is 1/6 = 0.167");
        report.Add("success_4_10_learning_lexical", lexical.Skip(3).Average(), "semantic share 0");
        report.Add("success_4_10_perfect_recall", perfect.Skip(3).Average(), "the same policy handed exactly its family's past outcomes: the ceiling");
        for (var r = 0; r < Rounds; r++)
        {
            report.Add($"success_round_{r + 1}", learning[r]);
        }

        return report;
    }

    /// <summary>
    /// The agent's policy, in rank order of the recalled past outcomes of similar tasks: it follows the first success
    /// whose approach no better-ranked failure advises against; with none, it tries an approach no recalled outcome
    /// tried without success. The success it followed is the memory credited with the outcome.
    /// </summary>
    private static (int Approach, List<Guid> Used) Decide(IReadOnlyList<RecalledMemory> recalled, Random choices)
    {
        var failed = new HashSet<int>();
        foreach (var item in recalled)
        {
            var metadata = item.Memory.Metadata;
            if (!metadata.TryGetProperty("approach", out var a) || !metadata.TryGetProperty("success", out var s))
            {
                continue;
            }

            var approach = a.GetInt32();
            if (!s.GetBoolean())
            {
                failed.Add(approach);
            }
            else if (!failed.Contains(approach))
            {
                return (approach, [item.Memory.Id]);
            }
        }

        // Nothing to follow: an untried approach that fails says nothing about the memories that ruled others out.
        var open = Enumerable.Range(0, Approaches.Length).Where(i => !failed.Contains(i)).ToList();
        if (open.Count == 0)
        {
            open = [.. Enumerable.Range(0, Approaches.Length)];
        }

        return (open[choices.Next(open.Count)], []);
    }

    private static async Task<double[]> SimulateAsync(int seed, bool useMemory, bool learn, double semanticShare = 0.5, bool perfectRecall = false)
    {
        var history = Enumerable.Range(0, Families).Select(_ => new List<(int Approach, bool Success)>()).ToArray();
        var world = new Random(2026 + seed);
        var correct = Enumerable.Range(0, Families).Select(_ => world.Next(Approaches.Length)).ToArray();
        var choices = new Random(7 + seed);
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 1, 9, 0, 0, TimeSpan.Zero));
        await using var host = await BenchmarkHost.StartAsync(services => services
            .AddSingleton<TimeProvider>(time)
            .AddAgentMemory().Configure(o =>
            {
                o.Recall.SemanticShare = semanticShare;
                o.Consolidation.Enabled = false;
            }));
        var memory = host.Memory.ForAgent("learner");
        if (!learn)
        {
            await host.Memory.SetLearningEnabledAsync("learner", false);
        }

        var rates = new double[Rounds];
        for (var round = 0; round < Rounds; round++)
        {
            var successes = 0;
            foreach (var family in Enumerable.Range(0, Families).OrderBy(_ => world.Next()))
            {
                var task = string.Format(System.Globalization.CultureInfo.InvariantCulture, Templates[world.Next(Templates.Length)], Topics[family], world.Next(1000, 9999));
                if (perfectRecall)
                {
                    // No memory system: the policy sees its family's outcomes so far and nothing else.
                    var tried = history[family];
                    var found = tried.FindIndex(t => t.Success);
                    var open = Enumerable.Range(0, Approaches.Length).Where(i => !tried.Any(t => t.Approach == i)).ToList();
                    var pick = found >= 0 ? tried[found].Approach : open[choices.Next(open.Count)];
                    tried.Add((pick, pick == correct[family]));
                    successes += pick == correct[family] ? 1 : 0;
                    continue;
                }

                if (!useMemory)
                {
                    successes += choices.Next(Approaches.Length) == correct[family] ? 1 : 0;
                    continue;
                }

                await using var turn = await memory.BeginTurnAsync(task, maxResults: 10);
                var (approach, used) = Decide(turn.Recalled, choices);
                var success = approach == correct[family];
                successes += success ? 1 : 0;

                await turn.CompleteAsync(
                    $"Tried to {Approaches[approach]}: {(success ? "that solved it" : "that did not help")}.",
                    success,
                    JsonSerializer.SerializeToElement(new Dictionary<string, int> { ["approach"] = approach }),
                    used);

                // Tasks come one after another: each sees the previous one's memory embedded (and the run is repeatable).
                await host.Memory.FlushAsync();
                time.Advance(TimeSpan.FromMinutes(1));
            }

            rates[round] = successes / (double)Families;
        }

        return rates;
    }
}
