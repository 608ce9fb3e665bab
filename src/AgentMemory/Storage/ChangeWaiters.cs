namespace AgentMemory.Storage;

/// <summary>
/// The readers waiting for other writers' commits (<see cref="IMemoryStore.WaitForChangesAsync"/>), for store
/// implementers: the store calls <see cref="Wake"/> with the writer of each commit it learns of, and
/// <see cref="WakeAll"/> when it cannot tell what it missed (its notifications were cut off). Safe for concurrent use.
/// </summary>
/// <param name="time">The clock the waits' timeouts run on; the system clock by default.</param>
public sealed class ChangeWaiters(TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _gate = new();
    private readonly List<(Guid Reader, TaskCompletionSource<bool> Wake)> _waiters = [];

    /// <summary>Waits until a commit of another writer than <paramref name="reader"/> is announced, or <paramref name="timeout"/> passes.</summary>
    /// <param name="reader">The waiting host, whose own commits do not wake it.</param>
    /// <param name="timeout">How long to wait at most.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns><see langword="true"/> when woken, <see langword="false"/> when the time ran out.</returns>
    public async Task<bool> WaitAsync(Guid reader, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var wake = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiters.Add((reader, wake));
        }

        try
        {
            return await wake.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return false;
        }
        finally
        {
            lock (_gate)
            {
                _waiters.RemoveAll(w => w.Wake == wake);
            }
        }
    }

    /// <summary>Announces a commit of <paramref name="writer"/>: wakes every waiting reader but that writer itself.</summary>
    /// <param name="writer">The writer whose commit it was.</param>
    public void Wake(Guid writer) => WakeWhere(writer, all: false);

    /// <summary>Wakes every waiting reader (what was committed meanwhile is unknown).</summary>
    public void WakeAll() => WakeWhere(Guid.Empty, all: true);

    private void WakeWhere(Guid writer, bool all)
    {
        List<TaskCompletionSource<bool>>? woken = null;
        lock (_gate)
        {
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (all || _waiters[i].Reader != writer)
                {
                    (woken ??= []).Add(_waiters[i].Wake);
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var wake in woken ?? [])
        {
            wake.TrySetResult(true);
        }
    }
}
