using AgentMemory.Tests.TestSupport;
using AgentMemory.PostgreSql.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.MultiHost;

/// <summary>The change feed's listening connection killed: hosts still converge, and nothing is applied twice.</summary>
public sealed class ListenerOutageTests
{
    [Test]
    public async Task HostsConvergeWhenTheListeningConnectionIsKilledAndNothingIsAppliedTwice()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        await using var a = await PostgresHost.StartAsync(schema);
        await using var b = PostgresHost.Create(schema, services: s => s.AddHealthChecks().AddAgentMemory());
        await b.StartAsync();
        var memory = await a.Memory.RememberAsync("agent", "the only memory of this agent");
        await a.Memory.FlushAsync();
        Assert.That(await b.Memory.GetAsync("agent", memory.Id), Is.Not.Null);
        await Waiting.UntilAsync(() => b.Store.NotificationsConnected, "host B listens");

        // Every listening connection is killed; what A writes meanwhile is notified to nobody.
        var killed = await schema.ScalarAsync<long>(
            "SELECT count(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND query ILIKE 'LISTEN%') k");
        Assert.That(killed, Is.GreaterThanOrEqualTo(2), "both hosts' listeners");
        for (var i = 0; i < 5; i++)
        {
            await a.Memory.RecallAsync("agent", new RecallRequest("only memory"));
        }

        var missed = await a.Memory.RememberAsync("agent", "remembered while nobody listened");
        await a.Memory.FlushAsync();

        await Waiting.UntilAsync(async () => await b.Memory.GetAsync("agent", missed.Id) is not null, "host B catches up by polling or after reconnecting");
        await Waiting.UntilAsync(async () => (await b.Memory.GetAsync("agent", memory.Id))!.AccessCount == memory.AccessCount + 5, "host B has A's five accesses");
        await Waiting.UntilAsync(() => b.Store.NotificationsConnected, "host B listens again");
        var health = await b.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.That(health.Entries["agentmemory"].Status, Is.EqualTo(HealthStatus.Healthy), health.Entries["agentmemory"].Description);

        // Applied once: the database and both hosts count five accesses, not more, after the feed read them again.
        await Task.Delay(1500);
        Assert.That(await schema.ScalarAsync<long>($"SELECT coalesce(a.access_count, m.access_count) FROM @schema.memories m LEFT JOIN @schema.memory_accesses a ON a.agent_id = m.agent_id AND a.memory_id = m.id WHERE m.id = '{memory.Id}'"), Is.EqualTo(memory.AccessCount + 5));
        Assert.That((await b.Memory.GetAsync("agent", memory.Id))!.AccessCount, Is.EqualTo(memory.AccessCount + 5));
        Assert.That((await a.Memory.GetAsync("agent", memory.Id))!.AccessCount, Is.EqualTo(memory.AccessCount + 5));
    }
}
