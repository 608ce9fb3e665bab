using System.Diagnostics.Metrics;

namespace AgentMemory.Benchmarks.Infrastructure;

/// <summary>Counts what the background writer committed while it lives (from the AgentMemory meter): rows and batches.</summary>
internal sealed class WriterCounts : IDisposable
{
    private readonly MeterListener _listener = new();
    private long _rows;
    private long _batches;

    public WriterCounts()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "AgentMemory" && instrument.Name is "agentmemory.persistence.rows" or "agentmemory.persistence.batches")
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
        _listener.Start();
    }

    public override string ToString() => $"writer committed {Interlocked.Read(ref _rows):N0} rows in {Interlocked.Read(ref _batches):N0} batches";

    public void Dispose() => _listener.Dispose();
}
