using System.Diagnostics;
using AgentMemory.Diagnostics;
using AgentMemory.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMemory.Consolidation;

/// <summary>
/// Consolidates every agent known to the store, one at a time, after a start-up delay and then every interval (each
/// with random jitter, so hosts started together spread out). An agent another run holds, here or on another host,
/// is skipped until the next pass; an agent whose run fails is logged and tried again next pass.
/// </summary>
internal sealed class ConsolidationService(
    Consolidator consolidator,
    IMemoryStore store,
    StoreInitializer initializer,
    IOptions<AgentMemoryOptions> options,
    TimeProvider time,
    ILoggerFactory? loggerFactory = null) : BackgroundService
{
    private readonly ILogger _logger = Loggers.Create<ConsolidationService>(loggerFactory);
    private readonly ConsolidationOptions _options = options.Value.Consolidation;
    private static readonly TimeSpan ClockCheck = TimeSpan.FromMinutes(1);
    private DateTimeOffset _startedAt;

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        // The schedule counts from here, not from whenever ExecuteAsync gets a thread.
        _startedAt = time.GetUtcNow();
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_options.Enabled)
        {
            return;
        }

        try
        {
            var due = _startedAt + _options.StartupDelay + Jitter();
            var failures = 0;
            while (true)
            {
                await DelayUntilAsync(due, stoppingToken).ConfigureAwait(false);
                try
                {
                    await RunPassAsync(stoppingToken).ConfigureAwait(false);
                    failures = 0;
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    // A fault of the service's own code: logged, and the schedule goes on (a background service that
                    // throws would otherwise stop the whole host).
                    Log.LoopFailed(_logger, "consolidation", ++failures, _options.Interval.TotalMilliseconds, ex);
                }

                // Fixed rate; a pass longer than the interval is followed by the next one at once, never by a backlog.
                due = Max(due + _options.Interval + Jitter(), time.GetUtcNow());
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>One pass over every agent of the store.</summary>
    internal async Task RunPassAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        List<string> agents;
        try
        {
            await initializer.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
            agents = [];
            await foreach (var agent in store.ListAgentsAsync(cancellationToken).ConfigureAwait(false))
            {
                agents.Add(agent.AgentId);
            }
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.ConsolidationFailed(_logger, "*", ex);
            return;
        }

        int failed = 0, busy = 0;
        foreach (var agentId in agents)
        {
            try
            {
                if (await consolidator.TryConsolidateAsync(agentId, cancellationToken).ConfigureAwait(false) is null)
                {
                    busy++;
                }
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failed++;
                Log.ConsolidationFailed(_logger, agentId, ex);
            }
        }

        Log.ConsolidationPass(_logger, agents.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds, failed, busy);
    }

    /// <summary>
    /// Waits until the clock reads <paramref name="due"/>, looking at it at least once a minute: a wait is relative to
    /// when its timer starts, so a clock that moved meanwhile (a suspended machine, a test's fake clock) costs at most
    /// a minute instead of a whole interval.
    /// </summary>
    private async Task DelayUntilAsync(DateTimeOffset due, CancellationToken cancellationToken)
    {
        TimeSpan wait;
        while ((wait = due - time.GetUtcNow()) > TimeSpan.Zero)
        {
            await Task.Delay(wait < ClockCheck ? wait : ClockCheck, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private TimeSpan Jitter() => _options.Interval * (_options.Jitter * Random.Shared.NextDouble());
}
