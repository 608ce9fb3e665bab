namespace AgentMemory.Benchmarks.Infrastructure;

/// <summary>
/// Runs a warm-up pass until the JIT has settled, so the measured runs execute optimized code: tiered compilation
/// promotes a method only after it has run a while and recompiles hot methods with profile data over several passes,
/// so one short warm-up leaves the first measured calls in unoptimized code with the JIT busy beside them.
/// </summary>
internal static class JitWarmup
{
    /// <summary>
    /// Waits until no method has been compiled for 100 ms (at most 2 s): a new host compiles its dependency-injection
    /// resolvers on a background thread shortly after it starts, which a long-running host did long ago.
    /// </summary>
    public static async Task SettleAsync()
    {
        var last = System.Runtime.JitInfo.GetCompiledMethodCount();
        var quiet = 0;
        for (var waited = 0; waited < 2_000 && quiet < 5; waited += 20)
        {
            await Task.Delay(20);
            var now = System.Runtime.JitInfo.GetCompiledMethodCount();
            quiet = now == last ? quiet + 1 : 0;
            last = now;
        }
    }

    /// <summary>
    /// Runs <paramref name="pass"/> at least <paramref name="minPasses"/> times and then until a pass compiles fewer
    /// than <paramref name="settled"/> methods (at most <paramref name="maxPasses"/> times), and prints what each pass
    /// compiled. One quiet pass is not enough: the JIT promotes methods in the background after a delay, so a pass
    /// that compiled little can be followed by one that compiles a lot.
    /// </summary>
    public static async Task RunAsync(Func<int, Task> pass, int settled, int minPasses = 5, int maxPasses = 10)
    {
        var compiledPerPass = new List<long>();
        for (var number = 1; ; number++)
        {
            var before = System.Runtime.JitInfo.GetCompiledMethodCount();
            await pass(number);
            compiledPerPass.Add(System.Runtime.JitInfo.GetCompiledMethodCount() - before);
            if ((number >= minPasses && compiledPerPass[^1] < settled) || number == maxPasses)
            {
                Console.WriteLine($"  warm-up: {number} passes; methods compiled in each: {string.Join(", ", compiledPerPass)}");
                return;
            }
        }
    }
}
