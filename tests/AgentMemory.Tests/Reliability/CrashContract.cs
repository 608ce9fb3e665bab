using System.Diagnostics;
using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Tests.Reliability;

/// <summary>
/// A host (AgentMemory.CrashHost, a separate OS process) killed with SIGKILL mid-stream, on a durable store: in
/// WriteThrough mode every memory it acknowledged is stored; in write-behind mode what is lost is only what was still
/// queued (the newest acknowledgements, at most the queue's capacity), never a hole in the middle. Each store's
/// fixture names the store for the crash host and reads back what it stored.
/// </summary>
public abstract class CrashContract
{
    private const int QueueCapacity = 512; // as the crash host configures it

    /// <summary>Creates a fresh store and returns the crash host's arguments naming it.</summary>
    protected abstract Task<string[]> CreateStoreAsync();

    /// <summary>The memories of agent <c>crash-agent</c> in the store (id → content), read directly.</summary>
    protected abstract Task<Dictionary<Guid, string>> StoredAsync();

    [Test]
    public async Task WriteThroughLosesNoAcknowledgedMemory()
    {
        var acknowledged = await RunAndKillAsync(await CreateStoreAsync(), "write-through", acknowledgements: 300);

        var stored = await StoredAsync();
        Assert.That(acknowledged, Has.Count.GreaterThanOrEqualTo(300));
        Assert.That(acknowledged.Values.Where(id => !stored.ContainsKey(id)), Is.Empty, "every acknowledged memory is stored");
        Assert.That(stored.Values.Distinct().Count(), Is.EqualTo(stored.Count), "no memory was written twice");
    }

    [Test]
    public async Task WriteBehindLosesAtMostWhatWasQueuedAndNeverAHole()
    {
        var acknowledged = await RunAndKillAsync(await CreateStoreAsync(), "write-behind", acknowledgements: 3000);

        var stored = await StoredAsync();
        var lost = acknowledged.Where(a => !stored.ContainsKey(a.Value)).Select(a => a.Key).ToList();
        TestContext.Out.WriteLine($"acknowledged {acknowledged.Count}, stored {stored.Count}, lost {lost.Count}");
        Assert.That(lost, Has.Count.LessThanOrEqualTo(QueueCapacity), "bounded by the queue");
        if (lost.Count > 0)
        {
            Assert.That(lost.Min(), Is.GreaterThan(acknowledged.Keys.Where(n => stored.ContainsKey(acknowledged[n])).Max()), "only the newest acknowledgements are lost");
        }

        Assert.That(stored.Values.Distinct().Count(), Is.EqualTo(stored.Count), "no memory was written twice");
    }

    /// <summary>Starts the crash host, waits for the acknowledgements, kills it with SIGKILL, returns every acknowledgement it printed (n → id).</summary>
    private static async Task<Dictionary<int, Guid>> RunAndKillAsync(string[] store, string mode, int acknowledgements)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(ChildProcess.BuiltProgram("tests", "AgentMemory.CrashHost"));
        foreach (var argument in store)
        {
            start.ArgumentList.Add(argument);
        }

        start.ArgumentList.Add(mode);

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var acknowledged = new Dictionary<int, Guid>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var killed = false;
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            var parts = line.Split(' ');
            if (parts is ["ACK", var n, var id])
            {
                acknowledged[int.Parse(n, System.Globalization.CultureInfo.InvariantCulture)] = Guid.Parse(id);
            }

            if (!killed && acknowledged.Count >= acknowledgements)
            {
                process.Kill(); // SIGKILL: no shutdown, no drain
                killed = true;
            }
        }

        await process.WaitForExitAsync(timeout.Token);
        Assert.That(killed, Is.True, "the host stopped before it was killed: " + await error);
        return acknowledged;
    }
}
