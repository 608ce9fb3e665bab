using AgentMemory.Hosting;
using AgentMemory.Persistence;
using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using NUnit.Framework;

namespace AgentMemory.Tests.Hosting;

/// <summary>
/// A background loop whose own code throws is logged as critical and started again, and nothing that was queued for
/// it, or already taken into its batch, is lost.
/// </summary>
public sealed class SupervisedLoopTests
{
    [Test]
    public async Task AWriterThatFailsMidBatchIsLoggedRestartedAndLosesNothing()
    {
        var store = new InMemoryMemoryStore();
        var remembered = new List<MemoryEntry>();
        await using (var host = MemoryTestHost.Create(store: store))
        {
            var pipeline = host.Services.GetRequiredService<PersistencePipeline>();
            var faults = 0;
            pipeline.OnBatch = () =>
            {
                // The first two batches the writer collects fail in the writer's own code, not in the store.
                if (Interlocked.Increment(ref faults) <= 2)
                {
                    throw new InvalidOperationException("injected fault in the writer loop");
                }
            };

            for (var i = 0; i < 20; i++)
            {
                remembered.Add(await host.Memory.RememberAsync("a1", $"fact number {i} about the deployment"));
            }

            await host.Memory.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));
            remembered.Add(await host.Memory.RememberAsync("a1", "a memory remembered after the faults"));
            await host.Memory.FlushAsync().WaitAsync(TimeSpan.FromSeconds(30));

            var failures = host.Logs.GetSnapshot().Where(l => l.Id.Name == "LoopFailed").ToList();
            Assert.That(failures, Has.Count.EqualTo(2), "each fault is logged");
            Assert.That(failures.All(l => l.Level == LogLevel.Critical && l.Exception is InvalidOperationException), Is.True, "as critical, with the exception");
            Assert.That(failures[0].Message, Does.Contain("writer"));
        }

        // A new host on the same store (a restart) finds every memory.
        await using var restarted = MemoryTestHost.Create(store: store);
        Assert.That(await restarted.Memory.LoadAgentAsync("a1"), Is.EqualTo(remembered.Count));
        foreach (var entry in remembered)
        {
            Assert.That((await restarted.Memory.GetAsync("a1", entry.Id))?.Content, Is.EqualTo(entry.Content));
        }
    }

    [Test]
    public async Task ALoopIsStartedAgainAfterEachFailureAndEndsWhenItsBodyReturns()
    {
        var logs = new FakeLogCollector();
        var logger = new FakeLogger(logs);
        var calls = 0;
        using var loop = new SupervisedLoop(
            "test loop",
            _ => ++calls <= 3 ? throw new TimeoutException($"failure {calls}") : Task.CompletedTask,
            new Backoff(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5)),
            TimeProvider.System,
            logger);

        await loop.Running.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That(calls, Is.EqualTo(4), "three failures, then a run that returned");
        Assert.That(loop.Restarts, Is.EqualTo(3));
        var logged = logs.GetSnapshot();
        Assert.That(logged.Select(l => (l.Level, l.Exception?.Message)), Is.EqualTo(new[]
        {
            (LogLevel.Critical, (string?)"failure 1"),
            (LogLevel.Critical, (string?)"failure 2"),
            (LogLevel.Critical, (string?)"failure 3"),
        }));
    }

    [Test]
    public async Task AnAbortedLoopEndsWithoutRestarting()
    {
        var logs = new FakeLogCollector();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var loop = new SupervisedLoop(
            "waiting loop",
            async abort =>
            {
                started.SetResult();
                await Task.Delay(Timeout.Infinite, abort);
            },
            new Backoff(TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(5)),
            TimeProvider.System,
            new FakeLogger(logs));

        loop.EnsureStarted();
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await loop.AbortAsync();
        await loop.Running.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.That((loop.Restarts, logs.Count), Is.EqualTo((0, 0)), "cancellation is how a loop stops, not a failure");
    }
}
