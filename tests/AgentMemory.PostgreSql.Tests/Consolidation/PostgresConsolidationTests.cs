using AgentMemory.PostgreSql.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Consolidation;

public sealed class PostgresConsolidationTests
{
    [Test]
    public async Task TwoHostsSharingTheDatabaseNeverConsolidateOneAgentAtOnce()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        await using var first = await PostgresHost.StartAsync(schema);
        await using var second = await PostgresHost.StartAsync(schema);
        var firstLock = first.Services.GetRequiredService<IConsolidationLock>();
        var secondLock = second.Services.GetRequiredService<IConsolidationLock>();

        var held = await firstLock.TryAcquireAsync("agent-1");
        Assert.That(held, Is.Not.Null);
        Assert.That(await secondLock.TryAcquireAsync("agent-1"), Is.Null, "the other host sees the agent taken");
        await using (var other = await secondLock.TryAcquireAsync("agent-2"))
        {
            Assert.That(other, Is.Not.Null, "other agents are free");
        }

        await second.Memory.RememberAsync("agent-1", "something to consolidate");
        var waiting = second.Memory.ConsolidateAsync("agent-1").AsTask();
        await Task.Delay(500);
        Assert.That(waiting.IsCompleted, Is.False, "the second host waits for the first host's run");

        await held!.DisposeAsync();
        var report = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(report.Kept, Is.EqualTo(1));
        await using var again = await firstLock.TryAcquireAsync("agent-1");
        Assert.That(again, Is.Not.Null, "released after the run");
    }

    [Test]
    public async Task ConsolidationChangesArePersistedAndSurviveARestart()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        Guid dropped, promoted, kept;
        await using (var host = await PostgresHost.StartAsync(schema, o => o.Consolidation.WorkingCapacity = 1))
        {
            var memory = host.Memory.ForAgent("agent-1");
            dropped = (await memory.RememberAsync(new MemoryDraft("scratch one") { Type = MemoryType.Working, Importance = Importance.Low, CreatedAt = DateTimeOffset.UtcNow.AddMinutes(-2) })).Id;
            promoted = (await memory.RememberAsync(new MemoryDraft("the customer prefers email") { Importance = Importance.High })).Id;
            kept = (await memory.RememberAsync(new MemoryDraft("scratch two") { Type = MemoryType.Working })).Id;

            var report = await memory.ConsolidateAsync();
            Assert.That((report.WorkingDropped, report.Promoted), Is.EqualTo((1, 1)));
            await host.StopAsync();
        }

        await using var restarted = await PostgresHost.StartAsync(schema);
        var loaded = (await restarted.Memory.ListAsync("agent-1")).Items.ToDictionary(m => m.Id);
        Assert.That(loaded.Keys, Is.EquivalentTo(new[] { promoted, kept }));
        Assert.That(loaded[promoted].Type, Is.EqualTo(MemoryType.Semantic));
        Assert.That(loaded[kept].Type, Is.EqualTo(MemoryType.Working));
        Assert.That(await schema.ScalarAsync<long>($"SELECT count(*) FROM @schema.memories WHERE id = '{dropped}'"), Is.Zero);
    }
}
