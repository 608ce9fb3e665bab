using System.Diagnostics;
using AgentMemory.Diagnostics;
using AgentMemory.Retrieval;
using AgentMemory.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMemory.Persistence;

/// <summary>
/// The write-behind writer: takes batches from the queue (by size or interval, at once for write-through callers and
/// flushes), coalesces them, and writes each batch in one store transaction. While the store fails it keeps the
/// batch and retries with capped exponential back-off and jitter; when the store refuses data it splits the batch
/// to isolate the offending change, logs it and writes the rest. It starts on first use or with the host, and
/// drains on stop and on dispose.
/// </summary>
internal sealed class PersistencePipeline : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan DisposeDrainTimeout = TimeSpan.FromSeconds(30);

    private readonly WriteQueue _queue;
    private readonly IMemoryStore _store;
    private readonly StoreInitializer _initializer;
    private readonly PersistenceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AgentMemoryInstruments _instruments;
    private readonly CancellationTokenSource _abort = new();
    private readonly Lock _startGate = new();
    private readonly HashSet<WriteUnit> _rejected = [];
    private List<PendingChange> _inFlight = [];
    private Task? _loop;
    private int _failedAttempts;
    private long _downSince;
    private int _stopped;

    public PersistencePipeline(
        WriteQueue queue,
        IMemoryStore store,
        StoreInitializer initializer,
        IOptions<AgentMemoryOptions> options,
        TimeProvider time,
        AgentMemoryInstruments instruments,
        ILoggerFactory? loggerFactory = null)
    {
        _queue = queue;
        _store = store;
        _initializer = initializer;
        _options = options.Value.Persistence;
        _time = time;
        _logger = (loggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance).CreateLogger<PersistencePipeline>();
        _instruments = instruments;
        instruments.ObserveQueueDepth(() => queue.Depth);
    }

    /// <summary>Whether the last write attempt failed (the store is down).</summary>
    public bool StoreUnavailable => Volatile.Read(ref _failedAttempts) > 0;

    public void EnsureStarted()
    {
        if (Volatile.Read(ref _loop) is not null)
        {
            return;
        }

        lock (_startGate)
        {
            _loop ??= Task.Run(() => RunAsync(_abort.Token));
        }
    }

    /// <summary>Completes when everything queued before the call is durable.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        EnsureStarted();
        var marker = PendingChange.Flush();
        _queue.Enqueue(marker);
        await marker.Durable!.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops accepting changes and writes everything queued, until <paramref name="cancellationToken"/> gives up.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Complete();
        EnsureStarted();
        var loop = _loop!;
        try
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _abort.CancelAsync().ConfigureAwait(false);
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            ReportUnwritten();
        }
        finally
        {
            Interlocked.Exchange(ref _stopped, 1);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Volatile.Read(ref _stopped) == 0)
        {
            using var timeout = new CancellationTokenSource(DisposeDrainTimeout);
            await StopAsync(timeout.Token).ConfigureAwait(false);
        }

        _abort.Dispose();
    }

    public void Dispose()
    {
        if (Volatile.Read(ref _stopped) == 0)
        {
            // A host disposed without being stopped: drain anyway, or acknowledged memories would be lost.
            using var timeout = new CancellationTokenSource(DisposeDrainTimeout);
            Task.Run(() => StopAsync(timeout.Token)).GetAwaiter().GetResult();
        }

        _abort.Dispose();
    }

    private async Task RunAsync(CancellationToken abort)
    {
        await Task.Yield();
        var batch = new List<PendingChange>(_options.BatchSize);
        _inFlight = batch;
        try
        {
            while (await _queue.WaitToReadAsync(abort).ConfigureAwait(false))
            {
                await CollectAsync(batch, abort).ConfigureAwait(false);
                await WriteBatchAsync(batch, abort).ConfigureAwait(false);
                Complete(batch);
                batch.Clear();
            }

            Log.Drained(_logger);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // StopAsync gave up: it reports what was not written.
        }
    }

    /// <summary>
    /// Fills the batch until it holds <see cref="PersistenceOptions.BatchSize"/> changes, an urgent change (write-through,
    /// flush) arrives, or the batch interval ends; whatever else is already waiting joins it, up to
    /// <see cref="PersistenceOptions.MaxBatchSize"/>. Waits on one wake-up per batch, not one per change, so a stream of
    /// small writes costs the callers nothing.
    /// </summary>
    private async Task CollectAsync(List<PendingChange> batch, CancellationToken abort)
    {
        var urgent = Drain(batch);
        var started = _time.GetTimestamp();
        while (!urgent && batch.Count < _options.BatchSize && !_queue.IsCompleted)
        {
            var remaining = _options.BatchInterval - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            var wake = _queue.ArmWake(_options.BatchSize - batch.Count);

            // Whatever arrived before the wake-up was armed is read now, so an urgent change is never missed.
            urgent = Drain(batch);
            if (urgent || batch.Count >= _options.BatchSize)
            {
                return;
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(abort);
            var delay = Task.Delay(remaining, _time, wait.Token);
            await Task.WhenAny(wake, delay).ConfigureAwait(false);
            await wait.CancelAsync().ConfigureAwait(false);
            abort.ThrowIfCancellationRequested();
            urgent = Drain(batch);
        }
    }

    private bool Drain(List<PendingChange> batch)
    {
        var urgent = false;
        foreach (var change in batch)
        {
            urgent |= change.IsUrgent;
        }

        var most = Math.Max(_options.BatchSize, _options.MaxBatchSize);
        while (batch.Count < most && _queue.TryRead(out var change))
        {
            batch.Add(change);
            urgent |= change.IsUrgent;
        }

        return urgent;
    }

    /// <summary>Each queued upsert writes its memory's latest snapshot (never an older version than it carries).</summary>
    private static void RefreshUpserts(List<PendingChange> batch)
    {
        // Grouped by agent, so the writer takes each agent's read lock once per batch, not once per change.
        var byOwner = new Dictionary<AgentIndex, List<int>>();
        for (var i = 0; i < batch.Count; i++)
        {
            if (batch[i] is { Kind: ChangeKind.Upsert, Owner: { } owner })
            {
                if (!byOwner.TryGetValue(owner, out var positions))
                {
                    byOwner[owner] = positions = [];
                }

                positions.Add(i);
            }
        }

        foreach (var (owner, positions) in byOwner)
        {
            var latest = owner.TakeQueuedUpserts(positions.ConvertAll(p => batch[p].MemoryId));
            for (var k = 0; k < positions.Count; k++)
            {
                var change = batch[positions[k]];
                if (latest[k] is { } entry && !ReferenceEquals(entry, change.Entry) && entry.Version >= change.Entry!.Version)
                {
                    change.Refresh(entry);
                }
            }
        }
    }

    private async Task WriteBatchAsync(List<PendingChange> batch, CancellationToken abort)
    {
        _rejected.Clear();
        RefreshUpserts(batch);
        var units = ChangeCoalescer.Coalesce(batch);
        if (units.Count == 0)
        {
            return;
        }

        await WriteRangeAsync(units, 0, units.Count, abort).ConfigureAwait(false);
    }

    private async Task WriteRangeAsync(List<WriteUnit> units, int start, int count, CancellationToken abort)
    {
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await _initializer.EnsureInitializedAsync(abort).ConfigureAwait(false);
                await _store.ApplyAsync(ChangeCoalescer.ToChangeSet(units, start, count), abort).ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                _instruments.Batches.Add(1);
                _instruments.Rows.Add(count);
                _instruments.BatchDuration.Record(elapsed);
                Log.BatchWritten(_logger, count, elapsed);
                RecordRecovery();
                return;
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                throw;
            }
            catch (MemoryStoreException ex) when (!ex.IsTransient)
            {
                _instruments.Failures.Add(1, new KeyValuePair<string, object?>("transient", false));
                RecordRecovery();
                if (count == 1)
                {
                    _rejected.Add(units[start]);
                    _instruments.Rejected.Add(1);
                    Log.ChangeRejected(_logger, units[start].ToString(), ex.InnerException?.Message ?? ex.Message, ex);
                    return;
                }

                // Split to isolate the change the store refuses; halves keep their order.
                var half = count / 2;
                await WriteRangeAsync(units, start, half, abort).ConfigureAwait(false);
                await WriteRangeAsync(units, start + half, count - half, abort).ConfigureAwait(false);
                return;
            }
            catch (Exception ex)
            {
                _instruments.Failures.Add(1, new KeyValuePair<string, object?>("transient", true));
                var attempt = Interlocked.Increment(ref _failedAttempts);
                if (attempt == 1)
                {
                    _downSince = _time.GetTimestamp();
                    Log.StoreUnavailable(_logger, count, ex.Message, ex);
                }

                var delay = RetryDelay(attempt);
                Log.BatchRetry(_logger, attempt, delay.TotalMilliseconds);
                _instruments.Retries.Add(1);
                await Task.Delay(delay, _time, abort).ConfigureAwait(false);
            }
        }
    }

    private void RecordRecovery()
    {
        var attempts = Interlocked.Exchange(ref _failedAttempts, 0);
        if (attempts > 0)
        {
            Log.StoreRecovered(_logger, attempts, _time.GetElapsedTime(_downSince).TotalSeconds);
        }
    }

    private TimeSpan RetryDelay(int attempt)
    {
        var exponent = Math.Min(attempt - 1, 30);
        var ceiling = Math.Min(_options.MaxRetryDelay.TotalMilliseconds, _options.InitialRetryDelay.TotalMilliseconds * Math.Pow(2, exponent));

        // "Equal jitter": between half and all of the capped exponential delay.
        return TimeSpan.FromMilliseconds(ceiling * (0.5 + (Random.Shared.NextDouble() * 0.5)));
    }

    private void Complete(List<PendingChange> batch)
    {
        var released = 0;
        var written = 0;
        foreach (var change in batch)
        {
            if (change.Reserved)
            {
                released++;
            }

            if (change.Kind != ChangeKind.Flush)
            {
                written++;
            }

            change.Owner?.AddPendingWrites(-1);
            if (change.Durable is { } durable)
            {
                if (_rejected.Count > 0 && IsRejected(change))
                {
                    durable.TrySetException(new MemoryStoreException($"The store refused the change to memory {change.MemoryId} of agent '{change.AgentId}'.", isTransient: false));
                }
                else
                {
                    durable.TrySetResult();
                }
            }
        }

        _queue.MarkWritten(written);
        _queue.Release(released);
    }

    private bool IsRejected(PendingChange change)
    {
        foreach (var unit in _rejected)
        {
            if (unit.MemoryId == change.MemoryId && string.Equals(unit.AgentId, change.AgentId, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }

    private void ReportUnwritten()
    {
        var lost = new List<PendingChange>(_inFlight);
        while (_queue.TryRead(out var change))
        {
            lost.Add(change);
        }

        var changes = lost.Where(static c => c.Kind != ChangeKind.Flush).ToList();
        if (changes.Count > 0)
        {
            var ids = string.Join(", ", changes.Where(static c => c.MemoryId != Guid.Empty).Select(static c => c.MemoryId).Distinct().Take(1000));
            Log.DrainIncomplete(_logger, changes.Count, ids);
        }

        foreach (var change in lost)
        {
            change.Durable?.TrySetException(new OperationCanceledException("The memory system shut down before this change could be written."));
        }
    }
}
