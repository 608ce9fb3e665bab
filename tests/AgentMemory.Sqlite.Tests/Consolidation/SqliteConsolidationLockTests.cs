using AgentMemory.Sqlite.Consolidation;
using AgentMemory.Sqlite.Storage;
using AgentMemory.Sqlite.Tests.TestSupport;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace AgentMemory.Sqlite.Tests.Consolidation;

/// <summary>One consolidation run per agent at a time across every process on the file, and a dead holder's lease runs out.</summary>
public sealed class SqliteConsolidationLockTests
{
    [Test]
    public async Task OneHolderPerAgentUntilReleased()
    {
        await using var file = SqliteTestFile.Create();
        await file.Store().InitializeAsync();
        var first = Lock(file, TimeProvider.System);
        var second = Lock(file, TimeProvider.System);

        var held = await first.TryAcquireAsync("agent");
        Assert.That(held, Is.Not.Null);
        Assert.That(await second.TryAcquireAsync("agent"), Is.Null, "another process's run waits its turn");
        var other = await second.TryAcquireAsync("another agent");
        Assert.That(other, Is.Not.Null, "other agents are not blocked");

        await held!.DisposeAsync();
        var next = await second.TryAcquireAsync("agent");
        Assert.That(next, Is.Not.Null, "released");
        await next!.DisposeAsync();
        await other!.DisposeAsync();
    }

    [Test]
    public async Task ALeaseOfAProcessThatDiedRunsOutAndALiveHolderKeepsItsLease()
    {
        await using var file = SqliteTestFile.Create();
        await file.Store().InitializeAsync();
        var start = new DateTimeOffset(2026, 12, 5, 0, 0, 0, TimeSpan.Zero);
        var deadClock = new FakeTimeProvider(start);
        var liveClock = new FakeTimeProvider(start);

        // The dead holder's clock never moves again: it never renews, as a killed process would not.
        var dead = await Lock(file, deadClock).TryAcquireAsync("agent");
        Assert.That(dead, Is.Not.Null);
        var live = Lock(file, liveClock);
        liveClock.Advance(TimeSpan.FromSeconds(30));
        Assert.That(await live.TryAcquireAsync("agent"), Is.Null, "within the lease");
        liveClock.Advance(TimeSpan.FromSeconds(31));
        var taken = await live.TryAcquireAsync("agent");
        Assert.That(taken, Is.Not.Null, "after the lease ran out");

        // The live holder renews as its clock moves: a third process cannot take the agent however long the run lasts.
        var third = Lock(file, liveClock);
        for (var i = 0; i < 6; i++)
        {
            liveClock.Advance(TimeSpan.FromSeconds(20));
            Assert.That(await third.TryAcquireAsync("agent"), Is.Null, $"renewed ({(i + 1) * 20} s into the run)");
        }

        await taken!.DisposeAsync();
    }

    private static SqliteConsolidationLock Lock(SqliteTestFile file, TimeProvider time)
    {
        var options = new SqliteMemoryStoreOptions { ConsolidationLease = TimeSpan.FromMinutes(1) };
        return new SqliteConsolidationLock(new SqliteConnections(file.ConnectionString, options), Options.Create(options), time);
    }
}
