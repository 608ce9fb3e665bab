using AgentMemory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace AgentMemory.CrashHost;

/// <summary>
/// A host of the multi-process tests. Commands (one per line), each answered with one line:
/// <c>remember &lt;agent&gt; &lt;text&gt;</c> → <c>OK &lt;id&gt;</c>;
/// <c>content &lt;agent&gt; &lt;id&gt; &lt;text&gt;</c> and <c>importance &lt;agent&gt; &lt;id&gt; &lt;level&gt;</c> → <c>OK</c>;
/// <c>get &lt;agent&gt; &lt;id&gt;</c> → <c>MEMORY &lt;importance&gt; &lt;content&gt;</c> or <c>NONE</c>;
/// <c>count &lt;agent&gt;</c> → <c>COUNT &lt;n&gt;</c>; <c>erase &lt;agent&gt;</c>, <c>flush</c> → <c>OK</c>; <c>quit</c> ends.
/// A command that fails answers <c>ERROR &lt;message&gt;</c>.
/// </summary>
internal static class Peer
{
    public static async Task<int> RunAsync(Action<IAgentMemoryBuilder> useStore)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        useStore(builder.Services
            .AddAgentMemory().Configure(o =>
            {
                o.Persistence.BatchInterval = TimeSpan.FromMilliseconds(10);
                o.Consolidation.Enabled = false;
            }));
        using var host = builder.Build();
        await host.StartAsync();
        var memory = host.Services.GetRequiredService<IMemorySystem>();
        Console.WriteLine("READY");
        while (await Console.In.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ', 4);
            try
            {
                switch (parts[0])
                {
                    case "remember":
                        Console.WriteLine($"OK {(await memory.RememberAsync(parts[1], string.Join(' ', parts[2..]))).Id}");
                        break;
                    case "content":
                        await memory.UpdateAsync(parts[1], Guid.Parse(parts[2]), new MemoryUpdate { Content = parts[3] });
                        Console.WriteLine("OK");
                        break;
                    case "importance":
                        await memory.UpdateAsync(parts[1], Guid.Parse(parts[2]), new MemoryUpdate { Importance = Enum.Parse<Importance>(parts[3]) });
                        Console.WriteLine("OK");
                        break;
                    case "get":
                        Console.WriteLine(await memory.GetAsync(parts[1], Guid.Parse(parts[2])) is { } found ? $"MEMORY {found.Importance} {found.Content}" : "NONE");
                        break;
                    case "count":
                        Console.WriteLine($"COUNT {(await memory.ListAsync(parts[1], new MemoryQuery { Limit = 10_000 })).TotalCount}");
                        break;
                    case "erase":
                        await memory.ForgetAgentAsync(parts[1]);
                        Console.WriteLine("OK");
                        break;
                    case "flush":
                        await memory.FlushAsync();
                        Console.WriteLine("OK");
                        break;
                    case "quit":
                        await host.StopAsync();
                        return 0;
                    default:
                        Console.WriteLine($"ERROR unknown command {parts[0]}");
                        break;
                }
            }
            catch (Exception ex) when (ex is MemoryNotFoundException or ArgumentException or FormatException or IndexOutOfRangeException)
            {
                Console.WriteLine($"ERROR {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
            }
        }

        await host.StopAsync();
        return 0;
    }
}
