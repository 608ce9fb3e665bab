using System.Collections.Concurrent;

namespace AgentMemory.Persistence;

/// <summary>
/// The write-behind queue: a lock-free queue with one reader (the writer task) and a separate capacity count, so a caller reserves room
/// (waiting or failing fast) before it changes anything, and then enqueues without blocking while it holds an
/// agent's lock. Capacity is released when the writer has made the change durable.
/// </summary>
internal sealed class WriteQueue
{
    private readonly ConcurrentQueue<ChangeRecord> _items = new();
    private int _activeWriters;
    private volatile bool _completed;

    private readonly int _capacity;
    private readonly QueueFullMode _fullMode;
    private long _reserved;
    private long _depth;
    private long _wakeAtDepth = long.MaxValue;
    private long _sequence;
    private long _takenBelow = 1;
    private long _writtenBelow = 1;
    private TaskCompletionSource? _wake;
    private TaskCompletionSource _space = NewSignal();

    // Callers waiting for room: a release swaps the signal only when there are some (every remember gives back the place
    // it reserved for a new agent's state, and a fresh signal on every release would be two objects a remember).
    private int _waitingForSpace;

    public WriteQueue(int capacity, QueueFullMode fullMode)
    {
        _capacity = capacity;
        _fullMode = fullMode;
    }

    /// <summary>Takes the next change (the writer task only).</summary>
    public bool TryRead(out ChangeRecord change) => _items.TryDequeue(out change!);

    /// <summary>When the oldest queued record was queued (0 when none is).</summary>
    public long OldestQueuedAt => _items.TryPeek(out var oldest) ? oldest.QueuedAt : 0;

    /// <summary>Waits until a change can be read (<see langword="true"/>), or the queue is completed and empty.</summary>
    public async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (!_items.IsEmpty)
            {
                return true;
            }

            if (_completed)
            {
                return !_items.IsEmpty;
            }

            var wake = ArmWake(1);
            if (!_items.IsEmpty || _completed)
            {
                continue;
            }

            await wake.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Changes queued and not yet written.</summary>
    public long Depth => Interlocked.Read(ref _depth);

    public int Capacity => _capacity;

    /// <summary>Whether the queue no longer accepts changes (the host is shutting down).</summary>
    public bool IsCompleted => _completed;

    /// <summary>Reserves room for <paramref name="count"/> changes, waiting or throwing when full as configured.</summary>
    public ValueTask ReserveAsync(int count, CancellationToken cancellationToken)
    {
        ThrowIfCompleted();
        if (TryReserve(count))
        {
            return ValueTask.CompletedTask;
        }

        if (_fullMode == QueueFullMode.Throw)
        {
            throw new MemoryQueueFullException(_capacity);
        }

        return WaitAsync(count, cancellationToken);
    }

    /// <summary>Reserves room if there is some, without waiting.</summary>
    public bool TryReserve(int count)
    {
        while (true)
        {
            var current = Interlocked.Read(ref _reserved);

            // A request larger than the whole capacity is let through when the queue is empty, so it cannot wait forever.
            if (current + count > _capacity && current > 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _reserved, current + count, current) == current)
            {
                return true;
            }
        }
    }

    /// <summary>Gives back room that was reserved and not used, or whose changes were written.</summary>
    public void Release(int count)
    {
        if (count == 0)
        {
            return;
        }

        Interlocked.Add(ref _reserved, -count);

        // A waiter counts itself before it tries to reserve; when its try came before this release, so did its count.
        if (Volatile.Read(ref _waitingForSpace) > 0)
        {
            Interlocked.Exchange(ref _space, NewSignal()).TrySetResult();
        }
    }

    /// <summary>Queues a change; never blocks.</summary>
    public void Enqueue(ChangeRecord change)
    {
        // Writers announce themselves before checking completion, and Complete waits for them: a change is either
        // refused or read by the writer task, never left behind.
        Interlocked.Increment(ref _activeWriters);
        try
        {
            if (_completed)
            {
                throw new ObjectDisposedException(nameof(IMemorySystem), "The memory system is shutting down and accepts no more changes.");
            }

            change.Pin?.Hold();
            change.Sequence = Interlocked.Increment(ref _sequence);
            change.QueuedAt = System.Diagnostics.Stopwatch.GetTimestamp();
            _items.Enqueue(change);
        }
        finally
        {
            Interlocked.Decrement(ref _activeWriters);
        }

        var depth = change.Kind != ChangeKind.Flush ? Interlocked.Increment(ref _depth) : Interlocked.Read(ref _depth);
        if (Volatile.Read(ref _wake) is { } wake && (change.IsUrgent || depth >= Interlocked.Read(ref _wakeAtDepth)))
        {
            wake.TrySetResult();
        }
    }

    /// <summary>
    /// Arms the writer's wake-up: the returned task completes when <paramref name="more"/> further changes are queued,
    /// an urgent change is queued, or the queue completes.
    /// </summary>
    public Task ArmWake(int more)
    {
        var wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Interlocked.Exchange(ref _wakeAtDepth, Interlocked.Read(ref _depth) + Math.Max(1, more));
        Volatile.Write(ref _wake, wake);
        if (IsCompleted)
        {
            wake.TrySetResult();
        }

        return wake.Task;
    }

    /// <summary>
    /// Whether the writer has taken the record numbered <paramref name="sequence"/> into a write. Until it has (the
    /// record is queued, or parked by the writer for its memory's embedding), a newer snapshot of the same memory joins
    /// the same write; the agent uses this to tell whether a change that adds nothing new to a memory (its embedding)
    /// can keep the memory's version. The answer errs toward "not taken", which only costs a row written twice.
    /// </summary>
    public bool IsTaken(long sequence) => sequence < Interlocked.Read(ref _takenBelow);

    /// <summary>Called by the writer before a write: every record numbered below <paramref name="sequence"/> is taken.</summary>
    public void MarkTakenBelow(long sequence) => RaiseTo(ref _takenBelow, sequence);

    /// <summary>
    /// Whether the record numbered <paramref name="sequence"/> (0: none) is written: committed, or refused by the store.
    /// A change another host made to a memory is applied here only once this host's own pending change of it is
    /// written, because only then does the store's row show both.
    /// </summary>
    public bool IsWritten(long sequence) => sequence < Interlocked.Read(ref _writtenBelow);

    /// <summary>Every record numbered below this is written (see <see cref="IsWritten"/>).</summary>
    public long WrittenBelow => Interlocked.Read(ref _writtenBelow);

    /// <summary>Called by the writer after a write: every record numbered below <paramref name="sequence"/> is written.</summary>
    public void MarkWrittenBelow(long sequence) => RaiseTo(ref _writtenBelow, sequence);

    /// <summary>Raises a mark to <paramref name="value"/> unless it is there already; marks never go back.</summary>
    private static void RaiseTo(ref long mark, long value)
    {
        long current;
        while (value > (current = Interlocked.Read(ref mark)) && Interlocked.CompareExchange(ref mark, value, current) != current)
        {
        }
    }

    /// <summary>Called by the writer for each change it finished with.</summary>
    public void MarkWritten(int count) => Interlocked.Add(ref _depth, -count);

    /// <summary>Stops accepting changes; the writer drains what is queued and then ends.</summary>
    public void Complete()
    {
        _completed = true;
        var spin = default(SpinWait);
        while (Volatile.Read(ref _activeWriters) > 0)
        {
            spin.SpinOnce();
        }

        Volatile.Read(ref _wake)?.TrySetResult();
    }

    private async ValueTask WaitAsync(int count, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waitingForSpace);
        try
        {
            while (true)
            {
                var signal = Volatile.Read(ref _space);
                if (TryReserve(count))
                {
                    return;
                }

                ThrowIfCompleted();
                await signal.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Interlocked.Decrement(ref _waitingForSpace);
        }
    }

    private void ThrowIfCompleted()
    {
        if (IsCompleted)
        {
            throw new ObjectDisposedException(nameof(IMemorySystem), "The memory system is shutting down and accepts no more changes.");
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
