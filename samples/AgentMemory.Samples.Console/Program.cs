// AgentMemory sample: an agent that recalls before each task, remembers after it, consolidates its memory, learns from
// outcomes, and keeps everything across runs: in a SQLite file next to the app by default, or in PostgreSQL.
//
//   dotnet run --project samples/AgentMemory.Samples.Console                      (SQLite file next to the app)
//   dotnet run --project samples/AgentMemory.Samples.Console -- --postgres "Host=127.0.0.1;Username=postgres"
//   dotnet run --project samples/AgentMemory.Samples.Console -- --in-memory        (nothing kept)
using System.Globalization;
using System.Text.Json;
using AgentMemory;
using AgentMemory.Samples.ConsoleApp;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

var store = SampleArguments.Parse(args);
var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
store.UseStore(builder.Services.AddAgentMemory());

using var host = builder.Build();
await host.StartAsync();
Console.WriteLine($"AgentMemory sample on {store.Description}.");

var memory = host.Services.GetRequiredService<IMemorySystem>();
const string AgentId = "support-agent";
var loaded = await memory.LoadAgentAsync(AgentId);
Console.WriteLine($"Loaded {loaded} memories for agent {AgentId}.");

// 1. Facts the agent was told, then tasks: recall with the score breakdown before each, the outcome after.
if (loaded == 0)
{
    await memory.RememberManyAsync(AgentId,
    [
        new MemoryDraft("Customer ACME is on the enterprise plan and prefers email") { Type = MemoryType.Semantic, Importance = Importance.High, Tags = ["acme"] },
        new MemoryDraft("Refunds above 500 EUR need approval from finance") { Type = MemoryType.Procedural, Importance = Importance.Critical, Tags = ["refunds"] },
        new MemoryDraft("The EU export endpoint was moved to eu2.example.com in March") { Type = MemoryType.Semantic, Tags = ["export"] },

        // An important episode: consolidation turns it into lasting (semantic) knowledge.
        new MemoryDraft("Incident on Monday: the payment gateway was down for two hours and card payments failed") { Type = MemoryType.Episodic, Importance = Importance.High, Tags = ["incident"] },
    ]);
}

Console.WriteLine();
Console.WriteLine("1. Working through tasks");
var world = new SupportWorld();
var random = new Random(7);
foreach (var task in world.Tasks.Take(3))
{
    await using var turn = await memory.BeginTurnAsync(AgentId, task.Text);
    Console.WriteLine($"   Task: {task.Text}");
    foreach (var recalled in turn.Recalled.Take(3))
    {
        var b = recalled.Breakdown;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"     recalled {recalled.Score:0.00} (relevance {b.Relevance:0.00}, recency {b.Recency:0.00}, importance {b.Importance:0.00}, utility {b.Utility:0.00}): {Shorten(recalled.Memory.Content)}"));
    }

    var (approach, followed) = SupportWorld.Choose(turn, random);
    var success = world.IsCorrect(task, approach);
    await turn.CompleteAsync($"Tried to {SupportWorld.Approaches[approach]}; {(success ? "it worked" : "it did not help")}.", success, Details(approach), followed);
    Console.WriteLine($"     -> {SupportWorld.Approaches[approach]}: {(success ? "success" : "failure")}");
}

// 2. Consolidation: on demand here; the background service also runs it for every agent on its interval.
var consolidation = host.Services.GetRequiredService<IOptions<AgentMemoryOptions>>().Value.Consolidation;
var report = await memory.ConsolidateAsync(AgentId);
Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"2. Consolidation (on demand; the background service runs it every {consolidation.Interval.TotalHours:0} hours): {report.Promoted} promoted to semantic, {report.Merged} merged, {report.Forgotten} forgotten, {report.Expired} expired, {report.WorkingPromoted + report.WorkingDropped} working memories settled; {report.Kept} kept, in {report.Duration.TotalMilliseconds:0} ms."));

// 3. The learning curve: the same kinds of tasks again and again.
Console.WriteLine();
Console.WriteLine("3. Learning curve (success rate per round of repeated tasks)");
for (var round = 1; round <= 6; round++)
{
    var successes = 0;
    foreach (var task in world.Tasks)
    {
        await using var turn = await memory.BeginTurnAsync(AgentId, task.Text);
        var (approach, followed) = SupportWorld.Choose(turn, random);
        var success = world.IsCorrect(task, approach);
        successes += success ? 1 : 0;
        await turn.CompleteAsync($"Tried to {SupportWorld.Approaches[approach]}; {(success ? "it worked" : "it did not help")}.", success, Details(approach), followed);
    }

    var rate = successes / (double)world.Tasks.Count;
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"   round {round}: {rate,4:P0} {new string('#', (int)(rate * 40))}"));
}

// 4. Persistence: everything is written by the background worker; flush before the process ends.
await memory.FlushAsync();
var total = (await memory.ListAsync(AgentId, new MemoryQuery { Limit = 1 })).TotalCount;
Console.WriteLine();
Console.WriteLine($"4. {total} memories for {AgentId} are durable{(store.Durable ? "; run again to start from them" : " in this process only")}.");
await host.StopAsync();
Console.WriteLine("Done.");

static string Shorten(string text) => (text.Length <= 70 ? text : text[..67] + "...").ReplaceLineEndings(" ");

static JsonElement Details(int approach) => JsonSerializer.SerializeToElement(new Dictionary<string, int> { ["approach"] = approach });
