using System.Diagnostics;
using AgentMemory.PostgreSql.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Reliability;

/// <summary>
/// A host killed with SIGKILL mid-stream: in WriteThrough mode every memory it acknowledged is in the database; in
/// write-behind mode what is lost is only what was still queued (the newest acknowledgements, at most the queue's
/// capacity), never a hole in the middle.
/// </summary>
public sealed class CrashTests
{
    private const int QueueCapacity = 512; // as the crash host configures it

    [Test]
    public async Task WriteThroughLosesNoAcknowledgedMemory()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var acknowledged = await RunAndKillAsync(schema, "write-through", acknowledgements: 300);

        var stored = await StoredAsync(schema);
        Assert.That(acknowledged, Has.Count.GreaterThanOrEqualTo(300));
        Assert.That(acknowledged.Values.Where(id => !stored.ContainsKey(id)), Is.Empty, "every acknowledged memory is in the database");
        Assert.That(stored.Values.Distinct().Count(), Is.EqualTo(stored.Count), "no memory was written twice");
    }

    [Test]
    public async Task WriteBehindLosesAtMostWhatWasQueuedAndNeverAHole()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var acknowledged = await RunAndKillAsync(schema, "write-behind", acknowledgements: 3000);

        var stored = await StoredAsync(schema);
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
    private static async Task<Dictionary<int, Guid>> RunAndKillAsync(PostgresTestSchema schema, string mode, int acknowledgements)
    {
        var dll = ChildProcess.BuiltProgram("tests", "AgentMemory.CrashHost");
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add(schema.ConnectionString);
        start.ArgumentList.Add(schema.Name);
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

    private static async Task<Dictionary<Guid, string>> StoredAsync(PostgresTestSchema schema)
    {
        var stored = new Dictionary<Guid, string>();
        await using var command = schema.DataSource.CreateCommand($"SELECT id, content FROM \"{schema.Name}\".memories WHERE agent_id = 'crash-agent'");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            stored.Add(reader.GetGuid(0), reader.GetString(1));
        }

        return stored;
    }
}
