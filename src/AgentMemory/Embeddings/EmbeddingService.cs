using System.Runtime.InteropServices;
using System.Threading.Channels;
using AgentMemory.Diagnostics;
using AgentMemory.Retrieval;
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
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _startGate = new();
    private Task? _loop;

    public EmbeddingService(
        IOptions<AgentMemoryOptions> options,
        TimeProvider time,
        AgentMemoryInstruments instruments,
        IEmbeddingGenerator<string, Embedding<float>>? generator = null,
        ILoggerFactory? loggerFactory = null)
    {
        _options = options.Value.Embeddings;
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
    }

    /// <summary>Whether memories get embeddings at all.</summary>
    public bool Enabled => _builtIn is not null || _generator is not null;

    /// <summary>The id stored with each embedding; embeddings of another id are recomputed, never compared.</summary>
    public string ModelId { get; }

    /// <summary>Called with each batch of jobs and their computed embeddings (same order); set once by the memory system.</summary>
    public Action<IReadOnlyList<EmbeddingJob>, float[][]>? Apply { get; set; }

    public void Enqueue(AgentIndex index, Guid memoryId, string content)
    {
        if (!Enabled)
        {
            return;
        }

        index.AddPendingWrites(1);
        if (!_jobs.Writer.TryWrite(new EmbeddingJob(index, memoryId, content)))
        {
            index.AddPendingWrites(-1);
            return;
        }

        EnsureStarted();
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

        EnsureStarted();
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
            var result = await _generator.GenerateAsync([text], cancellationToken: cancellationToken).ConfigureAwait(false);
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

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    public void Dispose()
    {
        if (_jobs.Writer.TryComplete())
        {
            _stop.Cancel();
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

    private void EnsureStarted()
    {
        if (Volatile.Read(ref _loop) is not null)
        {
            return;
        }

        lock (_startGate)
        {
            _loop ??= Task.Run(() => RunAsync(_stop.Token));
        }
    }

    /// <summary>
    /// Takes queued jobs in batches and embeds them: one batch at a time with the built-in generator, up to
    /// <see cref="EmbeddingOptions.MaxConcurrentCalls"/> at once with a registered one. A flush marker completes once
    /// every batch taken before it has been attempted.
    /// </summary>
    private async Task RunAsync(CancellationToken stop)
    {
        var concurrency = _builtIn is null ? _options.MaxConcurrentCalls : 1;
        var inFlight = new List<Task>(concurrency);
        try
        {
            await EmbedQueuedAsync(inFlight, concurrency, stop).ConfigureAwait(false);
        }
        finally
        {
            // Stopping or not, the calls still running end before the loop does (as a single call did).
            try
            {
                await Task.WhenAll(inFlight).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }
    }

    private async Task EmbedQueuedAsync(List<Task> inFlight, int concurrency, CancellationToken stop)
    {
        var batch = new List<EmbeddingJob>(_options.BatchSize);
        var markers = new List<EmbeddingJob>();
        while (await _jobs.Reader.WaitToReadAsync(stop).ConfigureAwait(false))
        {
            // A free call first, then the batch: jobs queued meanwhile join it.
            while (inFlight.Count >= concurrency)
            {
                await Task.WhenAny(inFlight).ConfigureAwait(false);
                inFlight.RemoveAll(static t => t.IsCompleted);
            }

            while (batch.Count < _options.BatchSize && _jobs.Reader.TryRead(out var job))
            {
                (job.Index is null ? markers : batch).Add(job);
            }

            if (batch.Count > 0)
            {
                // A call still running keeps its list and the next batch starts a new one; a call that finished at once
                // (the built-in generator, or one answering synchronously) hands the list back.
                var call = EmbedBatchAsync(batch, stop);
                if (call.IsCompleted)
                {
                    await call.ConfigureAwait(false);
                    batch.Clear();
                }
                else
                {
                    inFlight.Add(call);
                    batch = new List<EmbeddingJob>(_options.BatchSize);
                }
            }

            if (markers.Count > 0)
            {
                await Task.WhenAll(inFlight).ConfigureAwait(false);
                inFlight.Clear();
                foreach (var marker in markers)
                {
                    marker.Flushed!.TrySetResult();
                }

                markers.Clear();
            }
        }
    }

    private async Task EmbedBatchAsync(List<EmbeddingJob> batch, CancellationToken stop)
    {
        try
        {
            var vectors = new float[batch.Count][];
            if (_builtIn is not null)
            {
                for (var i = 0; i < batch.Count; i++)
                {
                    vectors[i] = new float[_builtIn.Dimensions];
                    _builtIn.Embed(batch[i].Content, vectors[i]);
                }
            }
            else
            {
                var result = await _generator!.GenerateAsync(batch.Select(static j => j.Content), cancellationToken: stop).ConfigureAwait(false);
                if (result.Count != batch.Count)
                {
                    throw new InvalidOperationException($"The embedding generator returned {result.Count} embeddings for {batch.Count} inputs.");
                }

                for (var i = 0; i < batch.Count; i++)
                {
                    vectors[i] = Owned(result[i].Vector);
                }
            }

            Apply?.Invoke(batch, vectors);

            _instruments.Embedded.Add(batch.Count);
        }
        catch (Exception ex) when (!stop.IsCancellationRequested)
        {
            _instruments.EmbeddingFailures.Add(1);
            Log.EmbeddingFailed(_logger, batch.Count, ex);
            var retry = batch.ToArray();
            _ = RetryLaterAsync(retry, stop);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The host is stopping and nothing retries now: the memories are embedded when their agent loads again.
            // Thrown on, the failure would make disposing the host throw.
            Log.EmbeddingFailed(_logger, batch.Count, ex);
        }
        finally
        {
            foreach (var job in batch)
            {
                job.Index!.AddPendingWrites(-1);
            }
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
            if (!job.Index!.IsRetired)
            {
                Enqueue(job.Index, job.MemoryId, job.Content);
            }
        }
    }
}
