using System.Runtime.InteropServices;
using System.Threading.Channels;
using AgentMemory.Diagnostics;
using AgentMemory.Hosting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMemory.Embeddings;

/// <summary>
/// Embeds memories in the background, in batches, with the host's <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>
/// or the built-in <see cref="HashingEmbeddingGenerator"/>; embeds recall queries on the caller's path. A failing
/// generator never fails a caller: memories stay recallable by words and are retried later, and a recall whose
/// query cannot be embedded uses lexical relevance.
/// </summary>
internal sealed class EmbeddingService : IAsyncDisposable, IDisposable
{
    private readonly Channel<EmbeddingJob> _jobs = Channel.CreateUnbounded<EmbeddingJob>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IEmbeddingGenerator<string, Embedding<float>>? _generator;
    private readonly HashingEmbeddingGenerator? _builtIn;
    private readonly EmbeddingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly AgentMemoryInstruments _instruments;
    private readonly IEmbeddingSink _sink;
    private readonly SupervisedLoop _loop;

    /// <summary>The most memories the built-in generator's thread takes at once (some milliseconds of work).</summary>
    internal const int BuiltInBatchLimit = 1024;

    /// <summary>
    /// How long a batch for a registered generator that is not full waits for more memories before the call. An agent
    /// remembering in a burst wakes the loop with every memory; taken at once, its memories would go out a few at a time
    /// (each call with its own timeout, request, and lock of every agent it serves, and a remote generator sent a
    /// request for each) instead of in batches of <see cref="EmbeddingOptions.BatchSize"/>.
    /// </summary>
    private static readonly TimeSpan GatherWindow = TimeSpan.FromMilliseconds(2);

    // Set when a job or marker is queued: the built-in generator's thread sleeps on it while there is nothing to do.
    private readonly ManualResetEventSlim _queued = new(initialState: false);

    // The loop's unfinished work lives here, not in the loop's locals, so a restarted loop goes on with it.
    private readonly List<Task> _inFlight = [];
    private readonly List<EmbeddingJob> _markers = [];
    private List<EmbeddingJob> _batch = [];

    public EmbeddingService(
        IOptions<AgentMemoryOptions> options,
        TimeProvider time,
        AgentMemoryInstruments instruments,
        IEmbeddingSink sink,
        IEmbeddingGenerator<string, Embedding<float>>? generator = null,
        ILoggerFactory? loggerFactory = null)
    {
        _options = options.Value.Embeddings;
        _sink = sink;
        _time = time;
        _logger = Loggers.Create<EmbeddingService>(loggerFactory);
        _instruments = instruments;
        if (generator is HashingEmbeddingGenerator hashing)
        {
            _builtIn = hashing;
        }
        else if (generator is not null)
        {
            _generator = generator;
        }
        else if (_options.UseBuiltInGenerator)
        {
            _builtIn = new HashingEmbeddingGenerator(_options.BuiltInDimensions);
        }

        ModelId = _builtIn is not null ? $"{HashingEmbeddingGenerator.ProviderName}/{_builtIn.ModelId}"
            : _generator is not null ? DescribeModel(_generator)
            : "none";
        _loop = new SupervisedLoop("embedder", RunAsync, Backoff.From(options.Value.Persistence), time, _logger);
    }

    /// <summary>Whether memories get embeddings at all.</summary>
    public bool Enabled => _builtIn is not null || _generator is not null;

    /// <summary>The id stored with each embedding; embeddings of another id are recomputed, never compared.</summary>
    public string ModelId { get; }

    public void Enqueue(IEmbeddingTarget target, Guid memoryId, string content)
    {
        if (!Enabled)
        {
            return;
        }

        target.Pin.Hold();
        if (!_jobs.Writer.TryWrite(new EmbeddingJob(target, memoryId, content)))
        {
            target.Pin.Release();
            return;
        }

        Signal();
        _loop.EnsureStarted();
    }

    /// <summary>Completes when every embedding queued before the call has been attempted (and applied if it succeeded).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return;
        }

        var marker = new EmbeddingJob(null, Guid.Empty, string.Empty, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        if (!_jobs.Writer.TryWrite(marker))
        {
            return;
        }

        Signal();
        _loop.EnsureStarted();
        await marker.Flushed!.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether embeddings come from the built-in generator, which can weigh a query's words.</summary>
    public bool IsBuiltIn => _builtIn is not null;

    /// <summary>The built-in generator's embeddings of a query with and without word weights (see <see cref="IsBuiltIn"/>).</summary>
    public (float[] Weighted, float[] Plain) EmbedWeightedQuery(string text, Func<string, float> termWeight)
    {
        var generator = _builtIn ?? throw new InvalidOperationException("Word weights need the built-in generator.");
        var weighted = new float[generator.Dimensions];
        var plain = new float[generator.Dimensions];
        generator.Embed(text, weighted, plain, termWeight);
        return (weighted, plain);
    }

    /// <summary>
    /// A query's embedding by the registered generator, or <see langword="null"/> when there is none or it failed
    /// (the built-in generator embeds queries through <see cref="EmbedWeightedQuery"/>).
    /// </summary>
    public async ValueTask<float[]?> EmbedQueryAsync(string text, CancellationToken cancellationToken)
    {
        if (_generator is null)
        {
            return null;
        }

        try
        {
            var result = await CallAsync([text], EmbeddingPurpose.For(EmbeddingPurpose.Query), _options.QueryTimeout, cancellationToken).ConfigureAwait(false);
            return result.Count == 1 ? result[0].Vector.ToArray() : null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            _instruments.EmbeddingFailures.Add(1);
            Log.QueryEmbeddingFailed(_logger, ex);
            return null;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_jobs.Writer.TryComplete())
        {
            return;
        }

        await _loop.AbortAsync().ConfigureAwait(false);
        await _loop.Running.ConfigureAwait(false);
        _loop.Dispose();
        _queued.Dispose();
    }

    public void Dispose()
    {
        if (_jobs.Writer.TryComplete())
        {
            _loop.AbortAsync().GetAwaiter().GetResult();
        }
    }

    /// <summary>
    /// One call to the registered generator, given up after <paramref name="timeout"/> with a
    /// <see cref="TimeoutException"/>: the generator is asked to stop, and a generator that ignores the request is no
    /// longer waited for.
    /// </summary>
    private async Task<GeneratedEmbeddings<Embedding<float>>> CallAsync(string[] inputs, EmbeddingGenerationOptions purpose, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var deadline = new CancellationTokenSource(timeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            return await _generator!.GenerateAsync(inputs, purpose, linked.Token).WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && (ex is TimeoutException || (ex is OperationCanceledException && deadline.IsCancellationRequested)))
        {
            // Whichever timer fired first, the call is asked to stop before it is let go.
            await linked.CancelAsync().ConfigureAwait(false);
            throw new TimeoutException($"The embedding generator did not answer within {timeout.TotalMilliseconds:F0} ms.", ex);
        }
    }

    private static string DescribeModel(IEmbeddingGenerator<string, Embedding<float>> generator)
    {
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();
        var provider = metadata?.ProviderName ?? generator.GetType().Name;
        var model = metadata?.DefaultModelId ?? "default";
        return metadata?.DefaultModelDimensions is { } dimensions ? $"{provider}/{model}/{dimensions}" : $"{provider}/{model}";
    }

    /// <summary>
    /// The embedding's values as an array the memory can keep: the generator's own array when the embedding is all of
    /// it (generators hand each embedding out once and never change it; a copy would double what every memory costs
    /// the collector), otherwise a copy.
    /// </summary>
    private static float[] Owned(ReadOnlyMemory<float> vector) =>
        MemoryMarshal.TryGetArray(vector, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : vector.ToArray();

    /// <summary>
    /// Takes queued jobs in batches and embeds them: up to <see cref="EmbeddingOptions.MaxConcurrentCalls"/> batches at
    /// once with a registered generator, one batch at a time on a thread of its own with the built-in one. A flush marker
    /// completes once every batch taken before it has been attempted. What was taken and not yet handed to a call is
    /// kept in fields, so a restarted loop goes on with it.
    /// </summary>
    private async Task RunAsync(CancellationToken stop)
    {
        if (_builtIn is { } builtIn)
        {
            // The built-in generator is CPU work of a few microseconds a memory, and its batches must keep pace with
            // the writer, which waits one batch interval for a new memory's embedding before it writes the row without
            // one (and the embedding as a second write). On the thread pool its batches wait behind whatever keeps the
            // pool busy (callers' recalls), a hundred milliseconds and more under load; a thread of its own is
            // scheduled by the operating system beside them.
            await Task.Factory.StartNew(() => EmbedBuiltIn(builtIn, stop), stop, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            return;
        }

        try
        {
            await EmbedQueuedAsync(stop).ConfigureAwait(false);
        }
        finally
        {
            // Stopping or not, the calls still running end before the loop does (as a single call did).
            try
            {
                await Task.WhenAll(_inFlight).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            _inFlight.RemoveAll(static t => t.IsCompleted);
        }
    }

    /// <summary>
    /// The built-in generator's loop, on its own thread: takes what is queued (up to <see cref="BuiltInBatchLimit"/>
    /// memories, not <see cref="EmbeddingOptions.BatchSize"/>: there is no request to keep small, and a larger batch takes
    /// each agent's lock once for more of its memories), embeds and applies it, completes the flush markers taken, and
    /// sleeps while nothing is queued. Ends when the queue is completed and empty, or with an
    /// <see cref="OperationCanceledException"/> when <paramref name="stop"/> is cancelled.
    /// </summary>
    private void EmbedBuiltIn(HashingEmbeddingGenerator builtIn, CancellationToken stop)
    {
        // Named for thread dumps and profilers (a background thread: it never keeps the process alive).
        Thread.CurrentThread.Name ??= "AgentMemory embedder";
        while (true)
        {
            // Reset before reading: a job queued after the read sets it again, so the wait below never misses one.
            _queued.Reset();
            TakeQueued(BuiltInBatchLimit);

            if (_batch.Count == 0 && _markers.Count == 0)
            {
                if (_jobs.Reader.Completion.IsCompleted)
                {
                    return;
                }

                _queued.Wait(stop);
                continue;
            }

            if (_batch.Count > 0)
            {
                EmbedBuiltInBatch(builtIn, _batch, stop);
                _batch.Clear();
            }

            CompleteMarkers();
        }
    }

    /// <summary>One batch to the built-in generator, then to the agents (see <see cref="Deliver"/>).</summary>
    private void EmbedBuiltInBatch(HashingEmbeddingGenerator builtIn, List<EmbeddingJob> batch, CancellationToken stop)
    {
        var vectors = new float[batch.Count][];
        try
        {
            for (var i = 0; i < batch.Count; i++)
            {
                vectors[i] = new float[builtIn.Dimensions];
                builtIn.Embed(batch[i].Content, vectors[i]);
            }
        }
        catch (Exception ex)
        {
            Failed(batch, ex, stop);
            return;
        }

        Deliver(batch, vectors, stop);
    }

    /// <summary>Moves queued jobs into the batch, up to <paramref name="limit"/> memories, and flush markers into theirs.</summary>
    private void TakeQueued(int limit)
    {
        while (_batch.Count < limit && _jobs.Reader.TryRead(out var job))
        {
            (job.Target is null ? _markers : _batch).Add(job);
        }
    }

    private async Task EmbedQueuedAsync(CancellationToken stop)
    {
        while (_batch.Count > 0 || _markers.Count > 0 || await _jobs.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
        {
            // A free call first, then the batch: jobs queued meanwhile join it.
            while (_inFlight.Count >= _options.MaxConcurrentCalls)
            {
                await Task.WhenAny(_inFlight).ConfigureAwait(false);
                _inFlight.RemoveAll(static t => t.IsCompleted);
            }

            TakeQueued(_options.BatchSize);
            if (_batch.Count > 0 && _batch.Count < _options.BatchSize && _markers.Count == 0)
            {
                // A pause of the scheduler's, not a time anyone observes: on the system clock, so a host that runs on a
                // fake clock (tests of the agent around it) still gets its embeddings without moving that clock. A flush
                // marker already taken is not kept waiting; one queued meanwhile waits at most this long.
                await Task.Delay(GatherWindow, TimeProvider.System, stop).ConfigureAwait(false);
                TakeQueued(_options.BatchSize);
            }

            if (_batch.Count > 0)
            {
                // A call still running keeps its list and the next batch starts a new one; a call that finished at once
                // (a generator answering synchronously) hands the list back.
                var call = EmbedBatchAsync(_batch, stop);
                if (call.IsCompleted)
                {
                    await call.ConfigureAwait(false);
                    _batch.Clear();
                }
                else
                {
                    _inFlight.Add(call);
                    _batch = new List<EmbeddingJob>(_options.BatchSize);
                }
            }

            if (_markers.Count > 0)
            {
                await Task.WhenAll(_inFlight).ConfigureAwait(false);
                _inFlight.Clear();
                CompleteMarkers();
            }
        }
    }

    /// <summary>One batch to the registered generator, then to the agents (see <see cref="Deliver"/>).</summary>
    private async Task EmbedBatchAsync(List<EmbeddingJob> batch, CancellationToken stop)
    {
        float[][] vectors;
        try
        {
            var result = await CallAsync([.. batch.Select(static j => j.Content)], EmbeddingPurpose.For(EmbeddingPurpose.Document), _options.Timeout, stop).ConfigureAwait(false);
            if (result.Count != batch.Count)
            {
                throw new InvalidOperationException($"The embedding generator returned {result.Count} embeddings for {batch.Count} inputs.");
            }

            vectors = new float[batch.Count][];
            for (var i = 0; i < batch.Count; i++)
            {
                vectors[i] = Owned(result[i].Vector);
            }
        }
        catch (Exception ex)
        {
            Failed(batch, ex, stop);
            return;
        }

        Deliver(batch, vectors, stop);
    }

    /// <summary>Hands a batch's embeddings to the agents that hold its memories, and lets go of the batch.</summary>
    private void Deliver(List<EmbeddingJob> batch, float[][] vectors, CancellationToken stop)
    {
        try
        {
            _sink.Apply(batch, vectors, ModelId);
        }
        catch (Exception ex)
        {
            Failed(batch, ex, stop);
            return;
        }

        _instruments.Embedded.Add(batch.Count);
        ReleasePins(batch);
    }

    /// <summary>
    /// A batch that could not be embedded is tried again after <see cref="EmbeddingOptions.RetryDelay"/>, unless the host
    /// is stopping: then nothing retries, and the memories are embedded when their agent loads again (thrown on, the
    /// failure would make disposing the host throw).
    /// </summary>
    private void Failed(List<EmbeddingJob> batch, Exception exception, CancellationToken stop)
    {
        if (!stop.IsCancellationRequested)
        {
            _instruments.EmbeddingFailures.Add(1);
            Log.EmbeddingFailed(_logger, batch.Count, exception);
            _ = RetryLaterAsync(batch.ToArray(), stop);
        }
        else if (exception is not OperationCanceledException)
        {
            Log.EmbeddingFailed(_logger, batch.Count, exception);
        }

        ReleasePins(batch);
    }

    private static void ReleasePins(List<EmbeddingJob> batch)
    {
        foreach (var job in batch)
        {
            job.Target!.Pin.Release();
        }
    }

    private void CompleteMarkers()
    {
        foreach (var marker in _markers)
        {
            marker.Flushed!.TrySetResult();
        }

        _markers.Clear();
    }

    /// <summary>Wakes the built-in generator's thread when it sleeps (a registered generator's loop waits on the queue itself).</summary>
    private void Signal()
    {
        if (_builtIn is not null)
        {
            _queued.Set();
        }
    }

    private async Task RetryLaterAsync(EmbeddingJob[] jobs, CancellationToken stop)
    {
        try
        {
            await Task.Delay(_options.RetryDelay, _time, stop).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }

        foreach (var job in jobs)
        {
            if (!job.Target!.IsRetired)
            {
                Enqueue(job.Target, job.MemoryId, job.Content);
            }
        }
    }
}
