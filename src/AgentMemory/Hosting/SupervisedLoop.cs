using AgentMemory.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AgentMemory.Hosting;

/// <summary>
/// Runs one background loop (the writer, the embedder, the change feed), started on the thread pool on first use or with
/// the host (a body may run its work on a thread of its own, as the built-in embedder does), and
/// keeps it running: an exception that escapes the loop's own code is logged as critical and the loop starts again
/// after a back-off, so nothing queued for it is stranded. The loop ends for good when it returns or when
/// <see cref="AbortAsync"/> cancels it. The body must keep its unfinished work in fields, not locals: a restart
/// calls it again.
/// </summary>
internal sealed class SupervisedLoop : IDisposable
{
    private readonly string _name;
    private readonly Func<CancellationToken, Task> _body;
    private readonly Backoff _backoff;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _abort = new();
    private readonly Lock _startGate = new();
    private Task? _task;

    public SupervisedLoop(string name, Func<CancellationToken, Task> body, Backoff backoff, TimeProvider time, ILogger logger)
    {
        _name = name;
        _body = body;
        _backoff = backoff;
        _time = time;
        _logger = logger;
    }

    /// <summary>How many times the loop failed and was started again.</summary>
    public int Restarts { get; private set; }

    /// <summary>The running loop (started if it was not): completes when the body returns or the loop is aborted.</summary>
    public Task Running
    {
        get
        {
            EnsureStarted();
            return _task!;
        }
    }

    public void EnsureStarted()
    {
        if (Volatile.Read(ref _task) is not null)
        {
            return;
        }

        lock (_startGate)
        {
            _task ??= Task.Run(() => SuperviseAsync(_abort.Token));
        }
    }

    /// <summary>Cancels the loop; it ends at its next await.</summary>
    public Task AbortAsync() => _abort.CancelAsync();

    public void Dispose() => _abort.Dispose();

    private async Task SuperviseAsync(CancellationToken abort)
    {
        var failures = 0;
        while (true)
        {
            var started = _time.GetTimestamp();
            try
            {
                await _body(abort).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // A loop that ran well for longer than the longest back-off starts its schedule over.
                failures = _time.GetElapsedTime(started) > _backoff.Max ? 1 : failures + 1;
                var delay = _backoff.Delay(failures);
                Restarts++;
                Log.LoopFailed(_logger, _name, failures, delay.TotalMilliseconds, ex);
                try
                {
                    await Task.Delay(delay, _time, abort).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}
