using System.Threading.Channels;

namespace AgentMemory.Persistence;

/// <summary>
/// The write-behind queue: an unbounded channel with a separate capacity count, so a caller reserves room
/// (waiting or failing fast) before it changes anything, and then enqueues without blocking while it holds an
/// agent's lock. Capacity is released when the writer has made the change durable.
/// </summary>
internal sealed class WriteQueue
{
    private readonly Channel<PendingChange> _channel = Channel.CreateUnbounded<PendingChange>(new UnboundedChannelOptions
    {
        SingleReader = true,
        SingleWriter = false,
        AllowSynchronousContinuations = false,
    });

    private readonly int _capacity;
    private readonly QueueFullMode _fullMode;
    private long _reserved;
    private long _depth;
    private TaskCompletionSource _space = NewSignal();

    public WriteQueue(int capacity, QueueFullMode fullMode)
    {
        _capacity = capacity;
        _fullMode = fullMode;
    }

    public ChannelReader<PendingChange> Reader => _channel.Reader;

    /// <summary>Changes queued and not yet written.</summary>
    public long Depth => Interlocked.Read(ref _depth);

    public int Capacity => _capacity;

    /// <summary>Whether the queue no longer accepts changes (the host is shutting down).</summary>
    public bool IsCompleted { get; private set; }

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
        var signal = Interlocked.Exchange(ref _space, NewSignal());
        signal.TrySetResult();
    }

    /// <summary>Queues a change; never blocks.</summary>
    public void Enqueue(PendingChange change)
    {
        change.Owner?.AddPendingWrites(1);
        if (!_channel.Writer.TryWrite(change))
        {
            change.Owner?.AddPendingWrites(-1);
            throw new ObjectDisposedException(nameof(IMemorySystem), "The memory system is shutting down and accepts no more changes.");
        }

        if (change.Kind != ChangeKind.Flush)
        {
            Interlocked.Increment(ref _depth);
        }
    }

    /// <summary>Called by the writer for each change it finished with.</summary>
    public void MarkWritten(int count) => Interlocked.Add(ref _depth, -count);

    /// <summary>Stops accepting changes; the writer drains what is queued and then ends.</summary>
    public void Complete()
    {
        IsCompleted = true;
        _channel.Writer.TryComplete();
    }

    private async ValueTask WaitAsync(int count, CancellationToken cancellationToken)
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

    private void ThrowIfCompleted()
    {
        if (IsCompleted)
        {
            throw new ObjectDisposedException(nameof(IMemorySystem), "The memory system is shutting down and accepts no more changes.");
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
