using System.Diagnostics;
using AgentMemory.Diagnostics;
using AgentMemory.Embeddings;
using AgentMemory.Hosting;
using AgentMemory.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMemory.Persistence;

/// <summary>
/// The write-behind writer: takes change records from the queue in batches (by size or interval, at once for
/// write-through callers and flushes), coalesces them and hands each batch to the <see cref="BatchWriter"/>, which
/// retries while the store is down and isolates what it refuses. A new memory whose embedding is still being computed
/// is parked until the embedding arrives, for a batch interval at most (<see cref="EmbeddingWait"/>). It reads nothing
/// but the records: the agents' in-process state is never touched here. The loop runs under a <see cref="SupervisedLoop"/>, starts on first use or with the host, and
/// drains on stop and on dispose.
/// </summary>
internal sealed class PersistencePipeline : IAsyncDisposable, IDisposable
{
    private static readonly TimeSpan DisposeDrainTimeout = TimeSpan.FromSeconds(30);

    private readonly WriteQueue _queue;
    private readonly BatchWriter _writer;
    private readonly PersistenceOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SupervisedLoop _loop;
    private readonly EmbeddingWait? _embeddingWait;
    private readonly ChangeCoalescer.Scratch _coalescing = new();

    // The plan of a pass that parks nothing: a copy of the batch (whose list collects the next pass), kept and emptied
    // after each write like the embedding wait's plan, rather than a new list as large as the batch for every write.
    private readonly List<ChangeRecord> _unparked = [];

    // The loop's unfinished work lives here (and in the embedding wait), not in the loop's locals, so a restarted
    // loop goes on with it.
    private readonly List<ChangeRecord> _batch;
    private List<ChangeRecord>? _planned;
    private long _drainedThrough;

    // When the oldest record the loop holds (collected, or being written) was queued; 0 when it holds none.
    private long _heldSince;
    private bool _patient;
    private int _stopped;

    public PersistencePipeline(
        WriteQueue queue,
        IMemoryStore store,
        StoreInitializer initializer,
        WriterIdentity writer,
        EmbeddingService embeddings,
        IOptions<AgentMemoryOptions> options,
        TimeProvider time,
        AgentMemoryInstruments instruments,
        ILoggerFactory? loggerFactory = null)
    {
        _queue = queue;
        _options = options.Value.Persistence;
        _time = time;
        _logger = Loggers.Create<PersistencePipeline>(loggerFactory);
        _embeddingWait = embeddings.Enabled ? new EmbeddingWait(time, _options.BatchInterval) : null;
        _batch = new List<ChangeRecord>(_options.BatchSize);
        var backoff = Backoff.From(_options);
        _writer = new BatchWriter(store, initializer, writer.Id, backoff, time, instruments, _logger);
        _loop = new SupervisedLoop("writer", RunAsync, backoff, time, _logger);
        instruments.ObserveQueueDepth(() => queue.Depth);
    }

    /// <summary>Test seam: runs once a batch is collected, before it is written (a fault here is a fault of the loop's own code).</summary>
    internal Action? OnBatch { get; set; }

    /// <summary>Called after each write (committed or refused): the change feed then applies what waited for it.</summary>
    public Action? Written { get; set; }

    public void EnsureStarted() => _loop.EnsureStarted();

    /// <summary>How long the oldest change not yet written has waited (zero when every change is written).</summary>
    public TimeSpan OldestUnwrittenAge
    {
        get
        {
            var held = Volatile.Read(ref _heldSince);
            var queued = _queue.OldestQueuedAt;
            var oldest = held == 0 ? queued : queued == 0 ? held : Math.Min(held, queued);
            return oldest == 0 ? TimeSpan.Zero : System.Diagnostics.Stopwatch.GetElapsedTime(oldest);
        }
    }

    /// <summary>How many changes wait for the writer.</summary>
    public long Backlog => _queue.Depth;

    /// <summary>Completes when everything queued before the call is durable.</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        EnsureStarted();
        var marker = ChangeRecord.Flush();
        _queue.Enqueue(marker);
        await marker.Durable!.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops accepting changes and writes everything queued, until <paramref name="cancellationToken"/> gives up.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Complete();
        var loop = _loop.Running;
        try
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _loop.AbortAsync().ConfigureAwait(false);
            await loop.ConfigureAwait(false);
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

        _loop.Dispose();
    }

    public void Dispose()
    {
        if (Volatile.Read(ref _stopped) == 0)
        {
            // A host disposed without being stopped: drain anyway, or acknowledged memories would be lost.
            using var timeout = new CancellationTokenSource(DisposeDrainTimeout);
            Task.Run(() => StopAsync(timeout.Token)).GetAwaiter().GetResult();
        }

        _loop.Dispose();
    }

    private async Task RunAsync(CancellationToken abort)
    {
        await Task.Yield();
        if (_planned is { } planned)
        {
            // A restart after the last pass had planned its write: that write goes first.
            await WriteAsync(planned, abort).ConfigureAwait(false);
        }

        while (_batch.Count > 0 || _embeddingWait?.Count > 0 || await _queue.WaitToReadAsync(abort).ConfigureAwait(false))
        {
            var urgent = await CollectAsync(_batch, _patient, abort).ConfigureAwait(false);
            OnBatch?.Invoke();
            var written = await WriteBatchAsync(_batch, urgent || _queue.IsCompleted, abort).ConfigureAwait(false);

            // Only parked memories left: the next pass waits a whole interval for more (or for their embeddings).
            _patient = written == 0;
        }

        Log.Drained(_logger);
    }

    /// <summary>
    /// Fills the batch until it holds <see cref="PersistenceOptions.BatchSize"/> changes, an urgent change (write-through,
    /// flush) arrives, or the batch interval ends; whatever else is already waiting joins it, up to
    /// <see cref="PersistenceOptions.MaxBatchSize"/>. Waits on one wake-up per batch, not one per change, so a stream of
    /// small writes costs the callers nothing. A <paramref name="patient"/> writer (the last batch was all held back for
    /// embeddings) waits the whole interval however full the batch is, unless an urgent change arrives. Returns whether
    /// the batch holds an urgent change.
    /// </summary>
    private async Task<bool> CollectAsync(List<ChangeRecord> batch, bool patient, CancellationToken abort)
    {
        var urgent = Drain(batch);
        var started = _time.GetTimestamp();
        while (!urgent && (patient || batch.Count < _options.BatchSize) && !_queue.IsCompleted)
        {
            var remaining = _options.BatchInterval - _time.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                return urgent;
            }

            var wake = _queue.ArmWake(patient ? int.MaxValue : _options.BatchSize - batch.Count);

            // Whatever arrived before the wake-up was armed is read now, so an urgent change is never missed.
            urgent = Drain(batch);
            if (urgent || (!patient && batch.Count >= _options.BatchSize))
            {
                return urgent;
            }

            using var wait = CancellationTokenSource.CreateLinkedTokenSource(abort);
            var delay = Task.Delay(remaining, _time, wait.Token);
            await Task.WhenAny(wake, delay).ConfigureAwait(false);
            await wait.CancelAsync().ConfigureAwait(false);
            abort.ThrowIfCancellationRequested();
            urgent = Drain(batch);
        }

        return urgent;
    }

    /// <summary>
    /// Takes what is queued, up to <see cref="PersistenceOptions.MaxBatchSize"/> changes; an embeddings-attached record
    /// is not counted, as its snapshots join their memories' rows. Returns whether the batch holds an urgent change.
    /// </summary>
    private bool Drain(List<ChangeRecord> batch)
    {
        var urgent = false;
        var counted = 0;
        foreach (var change in batch)
        {
            urgent |= change.IsUrgent;
            counted += change.Kind == ChangeKind.EmbeddingsAttached ? 0 : 1;
        }

        var most = Math.Max(_options.BatchSize, _options.MaxBatchSize);
        while (counted < most && _queue.TryRead(out var change))
        {
            if (batch.Count == 0 && Volatile.Read(ref _heldSince) == 0)
            {
                Volatile.Write(ref _heldSince, change.QueuedAt);
            }

            batch.Add(change);
            urgent |= change.IsUrgent;
            counted += change.Kind == ChangeKind.EmbeddingsAttached ? 0 : 1;
            _drainedThrough = Math.Max(_drainedThrough, change.Sequence);
        }

        return urgent;
    }

    /// <summary>
    /// Writes the batch, less what waits for its embedding, with what stops waiting now, and completes what was
    /// written; returns how many records that is. <paramref name="releaseAll"/> parks nothing and writes everything.
    /// </summary>
    private async Task<int> WriteBatchAsync(List<ChangeRecord> batch, bool releaseAll, CancellationToken abort)
    {
        var records = batch;
        var lowestWaiting = long.MaxValue;
        if (_embeddingWait is { } wait)
        {
            records = wait.Plan(batch, releaseAll);
            if (wait.Count > 0)
            {
                Log.HeldForEmbeddings(_logger, wait.Count);
                lowestWaiting = wait.LowestSequence;
            }
        }

        // Whatever is not parked is taken now: an embedding computed from here on is a change of the written row.
        var taken = Math.Min(lowestWaiting, _drainedThrough + 1);
        _queue.MarkTakenBelow(taken);
        if (records == batch)
        {
            Debug.Assert(_unparked.Count == 0, "The last plan was written (WriteAsync empties it) before the next is made.");
            _unparked.AddRange(batch);
            records = _unparked;
        }

        _planned = records;
        batch.Clear();
        var count = _planned.Count;
        await WriteAsync(_planned, abort).ConfigureAwait(false);
        Volatile.Write(ref _heldSince, 0);
        _queue.MarkWrittenBelow(taken);
        Written?.Invoke();
        return count;
    }

    /// <summary>Writes planned records and completes them (and forgets the plan).</summary>
    private async Task WriteAsync(List<ChangeRecord> records, CancellationToken abort)
    {
        var units = ChangeCoalescer.Coalesce(records, records.Count, _coalescing);
        var rejected = await _writer.WriteAsync(units, abort).ConfigureAwait(false);
        Complete(records, records.Count, rejected);

        // The lists are reused by the next batch; emptied now, they keep no written memory alive while the writer idles.
        units.Clear();
        records.Clear();
        _planned = null;
    }

    private void Complete(List<ChangeRecord> batch, int count, List<WriteUnit> rejected)
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

            change.Pin?.Release();
            if (change.Durable is { } durable)
            {
                if (rejected.Count > 0 && IsRejected(change, rejected))
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

    private static bool IsRejected(ChangeRecord change, List<WriteUnit> rejected)
    {
        foreach (var unit in rejected)
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
        var lost = new List<ChangeRecord>(_planned ?? []);
        lost.AddRange(_batch);
        if (_embeddingWait is { } wait)
        {
            lost.AddRange(wait.Plan([], releaseAll: true));
        }

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
