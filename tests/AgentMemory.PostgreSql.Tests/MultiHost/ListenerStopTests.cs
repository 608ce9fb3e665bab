using System.Diagnostics;
using AgentMemory.PostgreSql.Storage;
using AgentMemory.PostgreSql.Tests.TestSupport;
using AgentMemory.Storage;
using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Logging.Testing;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.MultiHost;

/// <summary>
/// The listening connection waits for notifications a slice (5 s) at a time instead of through a cancellation token,
/// which Npgsql can fail to honour: quiet slices cost it nothing, and disposal stops it with a notification.
/// </summary>
public sealed class ListenerStopTests
{
    [Test]
    public async Task TheListenerKeepsItsConnectionThroughQuietSlicesAndStillWakesAWaiter()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var logs = new FakeLogCollector();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        await using var listening = PostgresTestStore.Open(schema, loggers);
        await using var writing = PostgresTestStore.Open(schema, NullLoggerFactory.Instance);
        var reader = Guid.NewGuid();
        await StartListeningAsync(listening, reader);

        // Longer than a slice: the wait times out at least once with nothing to read.
        await Task.Delay(TimeSpan.FromSeconds(6));
        var woken = listening.WaitForChangesAsync(reader, TimeSpan.FromSeconds(60));
        await writing.ApplyAsync(new MemoryChangeSet { Writer = Guid.NewGuid(), Agents = [new AgentState { AgentId = "agent", CreatedAt = DateTimeOffset.UtcNow }] });

        Assert.That(await woken.WaitAsync(TimeSpan.FromSeconds(30)), Is.True, "the other writer's commit woke the waiter");
        Assert.That(logs.GetSnapshot().Where(l => l.Id.Name == "ListenerLost").Select(l => l.Message), Is.Empty, "a quiet slice is no lost connection");
    }

    [Test]
    public async Task DisposingTheStoreStopsItsListenerWithItsOwnNotification()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var logs = new FakeLogCollector();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(new FakeLoggerProvider(logs)));
        await using var other = PostgresTestStore.Open(schema, NullLoggerFactory.Instance);
        var listening = PostgresTestStore.Open(schema, loggers);
        var otherReader = Guid.NewGuid();
        await StartListeningAsync(listening, Guid.NewGuid());
        await StartListeningAsync(other, otherReader);

        // A listener wakes every waiter once just after it connects (what was committed before is read then); the
        // waiter below must come after that.
        await Task.Delay(TimeSpan.FromMilliseconds(500));
        var otherWaits = other.WaitForChangesAsync(otherReader, TimeSpan.FromSeconds(3));

        // The stop notification ends the wait at once; without it the loop would notice the stop only when its slice
        // (5 s) ends, and a wait that never ended would be logged after 6 s.
        var disposing = Stopwatch.StartNew();
        await listening.DisposeAsync();
        Assert.That(disposing.Elapsed, Is.LessThan(TimeSpan.FromSeconds(2)), "stopped by its notification, not by the end of a slice");
        Assert.That(logs.GetSnapshot().Where(l => l.Id.Name == "ListenerStopSlow"), Is.Empty);
        Assert.That(await otherWaits, Is.False, "another listener ignores the stop notification: its waiter is not woken");
    }

    private static async Task StartListeningAsync(PostgresMemoryStore store, Guid reader)
    {
        await store.InitializeAsync();
        _ = await store.WaitForChangesAsync(reader, TimeSpan.FromMilliseconds(10));
        await Waiting.UntilAsync(() => store.NotificationsConnected, "the store listens");
    }
}
