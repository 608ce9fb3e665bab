using AgentMemory.PostgreSql.Tests.TestSupport;
using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Persistence;

/// <summary>The server goes away while memories are written, and comes back.</summary>
[NonParallelizable]
public sealed class OutageTests
{
    [Test]
    public async Task StoppingTheServerWhileWritingLosesNothingAndDuplicatesNothing()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        Assert.That(schema.Server.CanRestart, Is.True,
            "The outage test stops and starts the server: run it through tests/run-tests.sh (local server) or with Docker (Testcontainers).");
        await using var host = await PostgresHost.StartAsync(schema, o =>
        {
            o.Persistence.BatchSize = 200;
            o.Persistence.MaxRetryDelay = TimeSpan.FromMilliseconds(500);
        });

        var ids = new List<Guid>();
        using var writing = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            var i = 0;
            while (!writing.IsCancellationRequested)
            {
                ids.Add((await host.Memory.RememberAsync($"agent-{i % 5}", $"memory {i} written around the outage")).Id);
                i++;
                if (i % 50 == 0)
                {
                    await Task.Delay(5);
                }
            }
        });

        await Task.Delay(500);
        await schema.Server.StopServerAsync();
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(4));
        }
        finally
        {
            await schema.Server.StartServerAsync();
        }

        await Task.Delay(500);
        await writing.CancelAsync();
        await writer;
        await host.Memory.FlushAsync();

        Assert.That(ids, Has.Count.GreaterThan(1_000));
        Assert.That(await schema.ScalarAsync<long>("SELECT count(*) FROM @schema.memories"), Is.EqualTo(ids.Count));
        Assert.That(await schema.ScalarAsync<long>("SELECT count(DISTINCT (agent_id, id)) FROM @schema.memories"), Is.EqualTo(ids.Count));
        var logs = host.Logs.GetSnapshot();
        Assert.That(logs.Any(l => l.Id.Name == "StoreUnavailable" && l.Level == LogLevel.Warning), Is.True, "the outage was logged");
        Assert.That(logs.Any(l => l.Id.Name == "StoreRecovered" && l.Level == LogLevel.Information), Is.True, "the recovery was logged");
    }
}
