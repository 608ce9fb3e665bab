// A host the crash tests kill with SIGKILL: it remembers memories one after another and prints the id of each one
// RememberAsync acknowledged ("ACK <n> <id>"), until killed.
//
//   AgentMemory.CrashHost <connection string> <schema> <write-through|write-behind>
using AgentMemory;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

if (args.Length != 3 || args[2] is not ("write-through" or "write-behind"))
{
    Console.Error.WriteLine("usage: AgentMemory.CrashHost <connection string> <schema> <write-through|write-behind>");
    return 2;
}

var writeThrough = args[2] == "write-through";
var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Services
    .AddAgentMemory().Configure(o =>
    {
        o.Persistence.Durability = writeThrough ? Durability.WriteThrough : Durability.WriteBehind;
        o.Persistence.QueueCapacity = 512;
        o.Persistence.BatchInterval = TimeSpan.FromMilliseconds(50);
    })
    .UsePostgres(args[0], o => o.Schema = args[1]);
using var host = builder.Build();
await host.StartAsync();
var memory = host.Services.GetRequiredService<IMemorySystem>();
Console.WriteLine("READY");
for (var n = 0; ; n++)
{
    var entry = await memory.RememberAsync("crash-agent", $"crash test memory {n}");
    Console.WriteLine($"ACK {n} {entry.Id}");
}
