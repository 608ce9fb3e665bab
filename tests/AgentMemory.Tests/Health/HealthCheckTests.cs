using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using NUnit.Framework;

namespace AgentMemory.Tests.Health;

public sealed class HealthCheckTests
{
    [Test]
    public async Task AWorkingMemorySystemIsHealthyAndReportsItsFigures()
    {
        await using var host = MemoryTestHost.Create(services: s => s.AddHealthChecks().AddAgentMemory());
        await host.Memory.RememberAsync("agent", "something worth keeping");
        await host.Memory.FlushAsync();

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        var entry = report.Entries["agentmemory"];
        Assert.That(entry.Status, Is.EqualTo(HealthStatus.Healthy), entry.Description);
        Assert.That(entry.Data.Keys, Is.SupersetOf(new[] { "writer_backlog", "oldest_unwritten_change_ms", "change_notifications_connected", "change_feed_running" }));
        Assert.That(entry.Data["writer_backlog"], Is.EqualTo(0L));
        Assert.That(entry.Data["change_feed_running"], Is.True);
    }

    [Test]
    public async Task AStoreThatDoesNotAnswerIsUnhealthy()
    {
        var store = new FaultyStore();
        await using var host = MemoryTestHost.Create(store: store, services: s => s.AddHealthChecks().AddAgentMemory());
        store.Down = true;

        var report = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.That(report.Entries["agentmemory"].Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(report.Entries["agentmemory"].Exception, Is.InstanceOf<MemoryStoreException>());
    }

    [Test]
    public async Task AWriterThatFallsBehindIsDegradedUntilItCatchesUp()
    {
        var store = new FaultyStore { ApplyGate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously) };
        await using var host = MemoryTestHost.Create(
            store: store,
            services: s => s.AddHealthChecks().AddAgentMemory(configure: o => o.MaxWriterLag = TimeSpan.FromMilliseconds(100)));
        var health = host.Services.GetRequiredService<HealthCheckService>();
        await host.Memory.RememberAsync("agent", "waits for a slow database");

        await Waiting.UntilAsync(
            async () => (await health.CheckHealthAsync()).Entries["agentmemory"].Status == HealthStatus.Degraded,
            "the check reports the waiting change");
        var degraded = (await health.CheckHealthAsync()).Entries["agentmemory"];
        Assert.That(degraded.Description, Does.Contain("waited"));
        Assert.That((double)degraded.Data["oldest_unwritten_change_ms"], Is.GreaterThanOrEqualTo(100));

        store.ApplyGate.SetResult();
        await host.Memory.FlushAsync();
        Assert.That((await health.CheckHealthAsync()).Entries["agentmemory"].Status, Is.EqualTo(HealthStatus.Healthy));
    }

    [TestCase(nameof(AgentMemoryHealthCheckOptions.MaxWriterLag))]
    [TestCase(nameof(AgentMemoryHealthCheckOptions.MaxBacklog))]
    [TestCase(nameof(AgentMemoryHealthCheckOptions.StoreTimeout))]
    public async Task ABadOptionFailsTheCheckNamingIt(string option)
    {
        await using var host = MemoryTestHost.Create(services: s => s.AddHealthChecks().AddAgentMemory(configure: o =>
        {
            switch (option)
            {
                case nameof(AgentMemoryHealthCheckOptions.MaxWriterLag): o.MaxWriterLag = TimeSpan.Zero; break;
                case nameof(AgentMemoryHealthCheckOptions.MaxBacklog): o.MaxBacklog = -1; break;
                default: o.StoreTimeout = TimeSpan.FromSeconds(-1); break;
            }
        }));

        var entry = (await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync()).Entries["agentmemory"];
        Assert.That(entry.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(entry.Exception, Is.InstanceOf<Microsoft.Extensions.Options.OptionsValidationException>());
        Assert.That(entry.Exception!.Message, Does.Contain(option));
    }

    [Test]
    public void ACheckWithoutANameIsRefused() =>
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddHealthChecks().AddAgentMemory(name: " "));
}
