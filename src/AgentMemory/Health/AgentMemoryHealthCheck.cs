using AgentMemory.Coherence;
using AgentMemory.Persistence;
using AgentMemory.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace AgentMemory.Health;

/// <summary>
/// The memory system's health: <c>Unhealthy</c> when the store does not answer; <c>Degraded</c> when changes wait too
/// long or too many for the writer, or when change notifications from other hosts do not arrive (the feed then polls);
/// <c>Healthy</c> otherwise. The report's data carries the figures.
/// </summary>
internal sealed class AgentMemoryHealthCheck(
    IMemoryStore store,
    PersistencePipeline pipeline,
    ChangeFeed feed,
    IOptionsMonitor<AgentMemoryHealthCheckOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var settings = options.Get(context.Registration.Name);
        var data = new Dictionary<string, object>
        {
            ["writer_backlog"] = pipeline.Backlog,
            ["oldest_unwritten_change_ms"] = Math.Round(pipeline.OldestUnwrittenAge.TotalMilliseconds),
            ["change_notifications_connected"] = store.NotificationsConnected,
            ["change_feed_running"] = feed.IsRunning,
        };
        if (feed.SinceLastRead is { } sinceRead)
        {
            data["change_feed_last_read_ms"] = Math.Round(sinceRead.TotalMilliseconds);
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(settings.StoreTimeout);
        try
        {
            await store.ReadChangesAsync(new MemoryChangeQuery(), timeout.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is MemoryStoreException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "The memory store does not answer.", ex, data);
        }

        var problems = new List<string>();
        if (pipeline.OldestUnwrittenAge > settings.MaxWriterLag)
        {
            problems.Add($"a change has waited {pipeline.OldestUnwrittenAge.TotalSeconds:F0} s for the writer");
        }

        if (pipeline.Backlog > settings.MaxBacklog)
        {
            problems.Add($"{pipeline.Backlog} changes wait for the writer");
        }

        if (feed.IsRunning && !store.NotificationsConnected)
        {
            problems.Add("change notifications from other hosts do not arrive (the feed polls)");
        }

        return problems.Count == 0
            ? HealthCheckResult.Healthy("The memory system is healthy.", data)
            : HealthCheckResult.Degraded($"The memory system is degraded: {string.Join("; ", problems)}.", data: data);
    }
}
