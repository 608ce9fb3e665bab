using System.Diagnostics.Metrics;

namespace AgentMemory.Benchmarks.Infrastructure;

/// <summary>Counts what the background writer committed while it lives (from the AgentMemory meter): rows, batches, and the time spent committing them.</summary>
internal sealed class WriterCounts : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _rows;
    private long _batches;
    private double _busyMs;

    public WriterCounts()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "AgentMemory" && instrument.Name is "agentmemory.persistence.rows" or "agentmemory.persistence.batches" or "agentmemory.persistence.batch.duration")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            if (instrument.Name == "agentmemory.persistence.rows")
            {
                Interlocked.Add(ref _rows, value);
            }
            else
            {
                Interlocked.Add(ref _batches, value);
            }
        });
        _listener.SetMeasurementEventCallback<double>((_, value, _, _) =>
        {
            lock (_listener)
            {
                _busyMs += value;
            }
        });
        _listener.Start();
    }

    public override string ToString()
    {
        double busy;
        lock (_listener)
        {
            busy = _busyMs;
        }

        return $"writer committed {Interlocked.Read(ref _rows):N0} rows in {Interlocked.Read(ref _batches):N0} batches, {busy:F0} ms writing";
    }

    public void Dispose() => _listener.Dispose();
}
