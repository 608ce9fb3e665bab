using AgentMemory.PostgreSql.Diagnostics;
using AgentMemory.Storage;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AgentMemory.PostgreSql.Storage;

/// <summary>
/// Listens for the notification every write transaction sends at commit (<c>pg_notify</c> with the writer's id) on
/// one dedicated connection, started by the first waiter, and wakes the waiting hosts whose id is not the writer's.
/// When the connection drops it is opened again (after a growing pause), and every waiter is woken: what was
/// notified meanwhile is lost, so hosts read the feed once more.
/// </summary>
/// <remarks>
/// The connection waits for notifications a slice at a time, not with a cancellation token: cancelling Npgsql's wait
/// can leave it waiting for good (npgsql/npgsql#5975; a host's disposal hung on it here). Disposal stops the loop
/// with a notification of its own, which this listener and every other one ignore, and waits a slice at most.
/// </remarks>
internal sealed class PostgresChangeListener(NpgsqlDataSource dataSource, string channel, ILogger logger) : IAsyncDisposable
{
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(5);

    /// <summary>How long one wait for notifications lasts: the longest a stopping listener can take to notice.</summary>
    private static readonly TimeSpan WaitSlice = TimeSpan.FromSeconds(5);

    /// <summary>The payload of the notification that wakes a stopping listener; no listener wakes its waiters for it.</summary>
    private const string StopPayload = "agentmemory-listener-stop";

    private readonly Lock _gate = new();
    private readonly ChangeWaiters _waiters = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _loop;
    private volatile bool _connected;
    private int _disposed;

    public bool IsConnected => _connected;

    public Task<bool> WaitAsync(Guid reader, TimeSpan timeout, CancellationToken cancellationToken)
    {
        EnsureStarted();
        return _waiters.WaitAsync(reader, timeout, cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is { } loop)
        {
            if (_connected)
            {
                await WakeAsync().ConfigureAwait(false);
            }

            // A slice and a little more: the loop notices the stop after its current wait at the latest.
            var patience = WaitSlice + TimeSpan.FromSeconds(1);
            try
            {
                await loop.WaitAsync(patience).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                PostgresLog.ListenerStopSlow(logger, channel, patience.TotalSeconds);
                return;
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
    }

    /// <summary>Sends the stop notification, so the listening connection's wait ends now rather than with its slice.</summary>
    private async Task WakeAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            var connection = await dataSource.OpenConnectionAsync(timeout.Token).ConfigureAwait(false);
            await using (connection.ConfigureAwait(false))
            {
                await connection.ExecuteAsync(new CommandDefinition(
                    "SELECT pg_notify(@channel, @payload)", new { channel, payload = StopPayload }, cancellationToken: timeout.Token)).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is NpgsqlException or OperationCanceledException or TimeoutException or InvalidOperationException)
        {
            // The database cannot be reached: the wait ends with its slice, or has ended with the connection.
        }
    }

    private void EnsureStarted()
    {
        lock (_gate)
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                _loop ??= Task.Run(() => ListenAsync(_stop.Token));
            }
        }
    }

    private async Task ListenAsync(CancellationToken stop)
    {
        var failures = 0;
        while (!stop.IsCancellationRequested)
        {
            try
            {
                var connection = await dataSource.OpenConnectionAsync(stop).ConfigureAwait(false);
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += (_, e) =>
                    {
                        if (Guid.TryParse(e.Payload, out var writer))
                        {
                            _waiters.Wake(writer);
                        }
                        else if (e.Payload != StopPayload)
                        {
                            _waiters.WakeAll();
                        }
                    };
                    var listen = new NpgsqlCommand($"LISTEN \"{channel}\"", connection);
                    await using (listen.ConfigureAwait(false))
                    {
                        await listen.ExecuteNonQueryAsync(stop).ConfigureAwait(false);
                    }

                    _connected = true;
                    failures = 0;
                    PostgresLog.ListenerConnected(logger, channel);

                    // Whatever was committed while nobody listened is read now.
                    _waiters.WakeAll();
                    while (!stop.IsCancellationRequested)
                    {
                        await connection.WaitAsync(WaitSlice).ConfigureAwait(false);
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                _connected = false;
                _waiters.WakeAll();
                failures++;
                PostgresLog.ListenerLost(logger, channel, ex);
                var delay = TimeSpan.FromMilliseconds(Math.Min(MaxReconnectDelay.TotalMilliseconds, 50 * Math.Pow(2, Math.Min(failures, 10))));
                try
                {
                    await Task.Delay(delay, stop).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            finally
            {
                _connected = false;
            }
        }
    }
}
