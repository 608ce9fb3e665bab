using AgentMemory.Storage;

namespace AgentMemory.Tests.TestSupport;

/// <summary>
/// An in-memory store that can be switched down (transient failures), can refuse chosen rows (non-transient, as a
/// database refuses a row), can fail loads, and counts calls.
/// </summary>
public sealed class FaultyStore() : ForwardingStore(new InMemoryMemoryStore())
{
    private int _applyCalls;
    private int _loadCalls;
    private int _failedApplies;

    public volatile bool Down;
    public volatile bool LoadsFail;
    public Func<MemoryEntry, bool>? Refuse;
    public TimeSpan ApplyDelay;

    /// <summary>When set, each write waits for it (a commit the test holds open).</summary>
    public TaskCompletionSource? ApplyGate { get; set; }

    public int ApplyCalls => Volatile.Read(ref _applyCalls);

    public int LoadCalls => Volatile.Read(ref _loadCalls);

    public int FailedApplies => Volatile.Read(ref _failedApplies);

    /// <summary>The size (<see cref="MemoryChangeSet.Count"/>) of every change set written, in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<int> WrittenSizes { get; } = new();

    /// <summary>Every memory snapshot written (inserts, then updates, of each change set), in order.</summary>
    public System.Collections.Concurrent.ConcurrentQueue<MemoryEntry> WrittenUpserts { get; } = new();

    public override Task InitializeAsync(CancellationToken cancellationToken = default) =>
        Down ? throw new MemoryStoreException("store down", isTransient: true) : Task.CompletedTask;

    public override async Task ApplyAsync(MemoryChangeSet changes, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _applyCalls);
        if (ApplyDelay > TimeSpan.Zero)
        {
            await Task.Delay(ApplyDelay, cancellationToken);
        }

        if (ApplyGate is { } gate)
        {
            await gate.Task.WaitAsync(cancellationToken);
        }

        if (Down)
        {
            Interlocked.Increment(ref _failedApplies);
            throw new TimeoutException("simulated outage: the database does not answer");
        }

        if (Refuse is { } refuse && changes.Inserts.Concat(changes.Updates.Select(static p => p.Entry)).FirstOrDefault(refuse) is { } bad)
        {
            Interlocked.Increment(ref _failedApplies);
            throw new MemoryStoreException($"check constraint violated by {bad.Id}", isTransient: false);
        }

        await Inner.ApplyAsync(changes, cancellationToken);
        WrittenSizes.Enqueue(changes.Count);
        foreach (var upsert in changes.Inserts.Concat(changes.Updates.Select(static p => p.Entry)))
        {
            WrittenUpserts.Enqueue(upsert);
        }
    }

    public override async IAsyncEnumerable<MemoryEntry> LoadMemoriesAsync(string agentId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _loadCalls);
        await Task.Delay(20, cancellationToken);
        if (LoadsFail)
        {
            throw new MemoryStoreException("simulated load failure", isTransient: true);
        }

        await foreach (var entry in Inner.LoadMemoriesAsync(agentId, cancellationToken))
        {
            yield return entry;
        }
    }

    public override bool NotificationsConnected => !Down;

    public override Task<MemoryChangePage> ReadChangesAsync(MemoryChangeQuery query, CancellationToken cancellationToken = default) =>
        Down ? Task.FromException<MemoryChangePage>(new MemoryStoreException("The store is down.", isTransient: true)) : Inner.ReadChangesAsync(query, cancellationToken);
}
