using AgentMemory.Storage;
using AgentMemory.PostgreSql.Diagnostics;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace AgentMemory.PostgreSql.Storage;

/// <summary>
/// Listens for the notification every write transaction sends at commit (<c>pg_notify</c> with the writer's id) on
/// one dedicated connection, started by the first waiter, and wakes the waiting hosts whose id is not the writer's.
/// When the connection drops it is opened again (after a growing pause), and every waiter is woken: what was
/// notified meanwhile is lost, so hosts read the feed once more.
/// </summary>
internal sealed class PostgresChangeListener(NpgsqlDataSource dataSource, string channel, ILogger logger) : IAsyncDisposable
{
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(5);

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
            try
            {
                await loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _stop.Dispose();
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
                        else
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
                    while (true)
                    {
                        await connection.WaitAsync(stop).ConfigureAwait(false);
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
