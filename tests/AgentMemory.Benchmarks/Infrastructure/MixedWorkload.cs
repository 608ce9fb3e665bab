using System.Collections.Concurrent;
using System.Diagnostics;

namespace AgentMemory.Benchmarks.Infrastructure;

/// <summary>
/// The workload the coherence and embedding-lag benchmarks share: each worker remembers (55 %), updates the importance
/// of a memory it remembered (15 %), forgets one (5 %) or recalls (25 %), on agents picked at random, paced or flat out.
/// </summary>
internal static class MixedWorkload
{
    /// <summary>
    /// Runs one worker until <paramref name="stop"/>; <paramref name="done"/> is told after each completed operation
    /// whether it was a write (a remember, update or forget). With a <paramref name="pause"/> the worker starts an
    /// operation every pause at most. The first unexpected failure goes to <paramref name="errors"/> and ends the worker.
    /// </summary>
    public static async Task RunWorkerAsync(IMemorySystem memory, string[] agents, int seed, TimeSpan pause, CancellationToken stop, Action<bool> done, ConcurrentQueue<Exception> errors)
    {
        var random = new Random(seed);
        var mine = new List<(string Agent, Guid Id)>();
        var paced = Stopwatch.StartNew();
        var steps = 0L;
        while (!stop.IsCancellationRequested)
        {
            // The time left is read once: read twice, it can turn negative in between.
            if (pause > TimeSpan.Zero && pause * ++steps - paced.Elapsed is var left && left > TimeSpan.Zero)
            {
                await Task.Delay(left, CancellationToken.None);
            }

            var agent = agents[random.Next(agents.Length)];
            try
            {
                switch (random.Next(100))
                {
                    case < 55:
                        mine.Add((agent, (await memory.RememberAsync(agent, $"fact {random.Next(100_000)} about subject {random.Next(40)}")).Id));
                        done(true);
                        break;
                    case < 70 when mine.Count > 0:
                        var (owner, id) = mine[random.Next(mine.Count)];
                        await memory.UpdateAsync(owner, id, new MemoryUpdate { Importance = (Importance)random.Next(4) });
                        done(true);
                        break;
                    case < 75 when mine.Count > 0:
                        var index = random.Next(mine.Count);
                        await memory.ForgetAsync(mine[index].Agent, mine[index].Id);
                        mine.RemoveAt(index);
                        done(true);
                        break;
                    default:
                        await memory.RecallAsync(agent, new RecallRequest($"subject {random.Next(40)}"));
                        done(false);
                        break;
                }
            }
            catch (MemoryNotFoundException)
            {
                // Forgotten by another host meanwhile.
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                errors.Enqueue(ex);
                return;
            }
        }
    }
}
