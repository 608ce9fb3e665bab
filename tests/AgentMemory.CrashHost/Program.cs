// A host that tests run as a separate OS process. The store comes first:
//   postgres <connection string> <schema>    or    sqlite <connection string>
// then the mode:
//
//   AgentMemory.CrashHost <store> <write-through|write-behind>
//     The crash tests kill it with SIGKILL: it remembers memories one after another and prints the id of each one
//     RememberAsync acknowledged ("ACK <n> <id>"), until killed.
//
//   AgentMemory.CrashHost <store> peer
//     One of several hosts serving the same agents: it reads commands from standard input, one per line, and answers
//     each with one line (see Peer.cs).
using AgentMemory;
using AgentMemory.CrashHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

if (!StoreArguments.TryParse(args, out var useStore, out var mode) || mode is not ("write-through" or "write-behind" or "peer"))
{
    Console.Error.WriteLine("usage: AgentMemory.CrashHost <postgres <connection string> <schema> | sqlite <connection string>> <write-through|write-behind|peer>");
    return 2;
}

if (mode == "peer")
{
    return await Peer.RunAsync(useStore);
}

var writeThrough = mode == "write-through";
var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
useStore(builder.Services
    .AddAgentMemory().Configure(o =>
    {
        o.Persistence.Durability = writeThrough ? Durability.WriteThrough : Durability.WriteBehind;
        o.Persistence.QueueCapacity = 512;
        o.Persistence.BatchInterval = TimeSpan.FromMilliseconds(50);
    }));
using var host = builder.Build();
await host.StartAsync();
var memory = host.Services.GetRequiredService<IMemorySystem>();
Console.WriteLine("READY");
for (var n = 0; ; n++)
{
    var entry = await memory.RememberAsync("crash-agent", $"crash test memory {n}");
    Console.WriteLine($"ACK {n} {entry.Id}");
}
