using System.Diagnostics;
using AgentMemory.Diagnostics;
using AgentMemory.Embeddings;
using AgentMemory.Retrieval;
using AgentMemory.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMemory.Persistence;

/// <summary>
/// The write-behind writer: takes batches from the queue (by size or interval, at once for write-through callers and
/// flushes), coalesces them, and writes each batch in one store transaction. While the store fails it keeps the
/// batch and retries with capped exponential back-off and jitter; when the store refuses data it splits the batch
/// to isolate the offending change, logs it and writes the rest. A new memory whose embedding is still being computed
/// waits for one more batch (with every change queued after it), so it is written once, with its embedding, instead
/// of twice. It starts on first use or with the host, and drains on stop and on dispose.
/// </summary>
internal sealed class PersistencePipeline : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan DisposeDrainTimeout = TimeSpan.FromSeconds(30);

    private readonly WriteQueue _queue;
    private readonly IMemoryStore _store;
    private readonly StoreInitializer _initializer;
    private readonly EmbeddingService _embeddings;
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
    private int _heldOnce;
    private long _downSince;
    private int _stopped;

    public PersistencePipeline(
        WriteQueue queue,
        IMemoryStore store,
        StoreInitializer initializer,
        EmbeddingService embeddings,
        IOptions<AgentMemoryOptions> options,
        TimeProvider time,
        AgentMemoryInstruments instruments,
        ILoggerFactory? loggerFactory = null)
    {
        _queue = queue;
        _store = store;
        _initializer = initializer;
        _embeddings = embeddings;
        _options = options.Value.Persistence;
        _time = time;
        _logger = Loggers.Create<PersistencePipeline>(loggerFactory);
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
            var patient = false;
            while (batch.Count > 0 || await _queue.WaitToReadAsync(abort).ConfigureAwait(false))
            {
                await CollectAsync(batch, patient, abort).ConfigureAwait(false);
                var written = await WriteBatchAsync(batch, abort).ConfigureAwait(false);
                Complete(batch, written);
                batch.RemoveRange(0, written);

                // What was held back is written with the next batch, whatever its embedding by then: held once, never twice.
                _heldOnce = batch.Count;
                patient = written == 0;
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
    /// small writes costs the callers nothing. A <paramref name="patient"/> writer (the last batch was all held back for
    /// embeddings) waits the whole interval however full the batch is, unless an urgent change arrives.
    /// </summary>
    private async Task CollectAsync(List<PendingChange> batch, bool patient, CancellationToken abort)
    {
        var urgent = Drain(batch);
        var started = _time.GetTimestamp();
        while (!urgent && (patient || batch.Count < _options.BatchSize) && !_queue.IsCompleted)
        {
            var remaining = _options.BatchInterval - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                return;
            }

            var wake = _queue.ArmWake(patient ? int.MaxValue : _options.BatchSize - batch.Count);

            // Whatever arrived before the wake-up was armed is read now, so an urgent change is never missed.
            urgent = Drain(batch);
            if (urgent || (!patient && batch.Count >= _options.BatchSize))
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

    /// <summary>
    /// Decides how many changes from the start of the batch are written now, and refreshes their upserts: each writes its
    /// memory's latest snapshot (never an older version than it carries). The batch ends before the first new upsert
    /// whose memory still waits for its embedding, unless that upsert was held back once already or an urgent change
    /// (a flush, a write-through caller) comes after it: the rest waits for the next batch, in order, so the embedding
    /// travels with the memory's first write instead of rewriting the row when it lands.
    /// </summary>
    private int TakeUpserts(List<PendingChange> batch)
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

        var cut = FirstAwaitingEmbedding(batch, byOwner);
        foreach (var (owner, positions) in byOwner)
        {
            var taken = positions.FindIndex(p => p >= cut) is var end and >= 0 ? end : positions.Count;
            if (taken == 0)
            {
                continue;
            }

            var ids = new Guid[taken];
            for (var k = 0; k < taken; k++)
            {
                ids[k] = batch[positions[k]].MemoryId;
            }

            var latest = owner.TakeQueuedUpserts(ids);
            for (var k = 0; k < taken; k++)
            {
                var change = batch[positions[k]];
                if (latest[k] is { } entry && !ReferenceEquals(entry, change.Entry) && entry.Version >= change.Entry!.Version)
                {
                    change.Refresh(entry);
                }
            }
        }

        return cut;
    }

    /// <summary>
    /// The position of the first upsert that may wait for its memory's embedding, or the batch's count. Nothing waits
    /// without an embedder, while the host shuts down, before an urgent change, or a second time.
    /// </summary>
    private int FirstAwaitingEmbedding(List<PendingChange> batch, Dictionary<AgentIndex, List<int>> byOwner)
    {
        if (!_embeddings.Enabled || _queue.IsCompleted)
        {
            return batch.Count;
        }

        var from = _heldOnce;
        for (var i = batch.Count - 1; i >= from; i--)
        {
            if (batch[i].IsUrgent)
            {
                from = i + 1;
                break;
            }
        }

        var cut = batch.Count;
        foreach (var (owner, positions) in byOwner)
        {
            var ids = new List<Guid>();
            var first = positions.FindIndex(p => p >= from);
            for (var k = first; k >= 0 && k < positions.Count && positions[k] < cut; k++)
            {
                ids.Add(batch[positions[k]].MemoryId);
            }

            if (ids.Count > 0 && owner.FirstWithoutEmbedding(ids) is var waiting and >= 0)
            {
                cut = positions[first + waiting];
            }
        }

        return cut;
    }

    /// <summary>Writes the changes taken from the start of the batch; returns how many that is.</summary>
    private async Task<int> WriteBatchAsync(List<PendingChange> batch, CancellationToken abort)
    {
        _rejected.Clear();
        var count = TakeUpserts(batch);
        if (count < batch.Count)
        {
            Log.HeldForEmbeddings(_logger, batch.Count - count);
        }

        var units = ChangeCoalescer.Coalesce(batch, count);
        if (units.Count > 0)
        {
            await WriteRangeAsync(units, 0, units.Count, abort).ConfigureAwait(false);
        }

        return count;
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

    private void Complete(List<PendingChange> batch, int count)
    {
        var released = 0;
        var written = 0;
        for (var i = 0; i < count; i++)
        {
            var change = batch[i];
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
