using System.Diagnostics;

namespace AgentMemory.Benchmarks.Infrastructure;

/// <summary>The process's collections, pause time, allocation, CPU time and JIT work at one moment, to print what a timed phase cost besides its wall time.</summary>
internal readonly record struct GcSnapshot(int Gen0, int Gen1, int Gen2, TimeSpan Paused, long Allocated, TimeSpan Cpu, long Jitted, TimeSpan JitTime)
{
    public static GcSnapshot Take() => new(
        GC.CollectionCount(0),
        GC.CollectionCount(1),
        GC.CollectionCount(2),
        GC.GetTotalPauseDuration(),
        GC.GetTotalAllocatedBytes(precise: false),
        Process.GetCurrentProcess().TotalProcessorTime,
        System.Runtime.JitInfo.GetCompiledMethodCount(),
        System.Runtime.JitInfo.GetCompilationTime());

    /// <summary>What happened since this snapshot, as one line.</summary>
    public string Since()
    {
        var now = Take();
        return $"GC {now.Gen0 - Gen0}/{now.Gen1 - Gen1}/{now.Gen2 - Gen2} (gen0/1/2), paused {(now.Paused - Paused).TotalMilliseconds:F0} ms, " +
            $"allocated {(now.Allocated - Allocated) / 1048576.0:F0} MB, process CPU {(now.Cpu - Cpu).TotalMilliseconds:F0} ms, " +
            $"JIT {now.Jitted - Jitted} methods in {(now.JitTime - JitTime).TotalMilliseconds:F0} ms";
    }
}
