using System.Diagnostics;
using AgentMemory.Diagnostics;
using AgentMemory.Hosting;
using AgentMemory.Storage;
using Microsoft.Extensions.Logging;

namespace AgentMemory.Persistence;

/// <summary>
/// Writes coalesced units to the store, one transaction per range. While the store fails transiently the range is kept
/// and retried with back-off, for as long as it takes; when the store refuses data, the range is split to isolate the
/// refused unit, which is logged and dropped so the rest is written.
/// </summary>
internal sealed class BatchWriter(
    IMemoryStore store,
    StoreInitializer initializer,
    Guid writerId,
    Backoff backoff,
    TimeProvider time,
    AgentMemoryInstruments instruments,
    ILogger logger)
{
    private int _failedAttempts;
    private long _batches;
    private long _downSince;

    /// <summary>Writes every unit; returns those the store refused (empty when none).</summary>
    public async Task<List<WriteUnit>> WriteAsync(List<WriteUnit> units, CancellationToken abort)
    {
        var rejected = new List<WriteUnit>();
        if (units.Count > 0)
        {
            await WriteRangeAsync(units, 0, units.Count, rejected, abort).ConfigureAwait(false);
        }

        return rejected;
    }

    private async Task WriteRangeAsync(List<WriteUnit> units, int start, int count, List<WriteUnit> rejected, CancellationToken abort)
    {
        // One number for every attempt of this set: a retry after a lost commit acknowledgement is applied once.
        var changes = ChangeCoalescer.ToChangeSet(units, start, count, writerId, ++_batches);
        while (true)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                await initializer.EnsureInitializedAsync(abort).ConfigureAwait(false);
                await store.ApplyAsync(changes, abort).ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                instruments.Batches.Add(1);
                instruments.Rows.Add(count);
                instruments.BatchDuration.Record(elapsed);
                Log.BatchWritten(logger, count, elapsed);
                RecordRecovery();
                return;
            }
            catch (OperationCanceledException) when (abort.IsCancellationRequested)
            {
                throw;
            }
            catch (MemoryStoreException ex) when (!ex.IsTransient)
            {
                instruments.Failures.Add(1, new KeyValuePair<string, object?>("transient", false));
                RecordRecovery();
                if (count == 1)
                {
                    rejected.Add(units[start]);
                    instruments.Rejected.Add(1);
                    Log.ChangeRejected(logger, units[start].ToString(), ex.InnerException?.Message ?? ex.Message, ex);
                    return;
                }

                // Split to isolate the change the store refuses; halves keep their order.
                var half = count / 2;
                await WriteRangeAsync(units, start, half, rejected, abort).ConfigureAwait(false);
                await WriteRangeAsync(units, start + half, count - half, rejected, abort).ConfigureAwait(false);
                return;
            }
            catch (Exception ex)
            {
                instruments.Failures.Add(1, new KeyValuePair<string, object?>("transient", true));
                var attempt = Interlocked.Increment(ref _failedAttempts);
                if (attempt == 1)
                {
                    _downSince = time.GetTimestamp();
                    Log.StoreUnavailable(logger, count, ex.Message, ex);
                }

                var delay = backoff.Delay(attempt);
                Log.BatchRetry(logger, attempt, delay.TotalMilliseconds);
                instruments.Retries.Add(1);
                await Task.Delay(delay, time, abort).ConfigureAwait(false);
            }
        }
    }

    private void RecordRecovery()
    {
        var attempts = Interlocked.Exchange(ref _failedAttempts, 0);
        if (attempts > 0)
        {
            Log.StoreRecovered(logger, attempts, time.GetElapsedTime(_downSince).TotalSeconds);
        }
    }
}
