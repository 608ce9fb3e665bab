using AgentMemory.Storage;
using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Tests.Reliability;

/// <summary>
/// No read, list, recall, update, forget or outcome through one agent id ever returns or changes another agent's
/// memory, including ids that are prefixes of others, differ only by case or Unicode normalization, or hold SQL
/// wildcards and quotes; in process and after a restart from the store. One subclass per store.
/// </summary>
public abstract class IsolationTests
{
    private static readonly string[] Agents =
    [
        "agent", "agent2", "agent-2", "Agent", "AGENT", "agent ", " agent",
        "caf\u00e9", "cafe\u0301", // the same word in NFC and NFD
        "a%", "a_", "a%b", "ab", "axb", "a\\b", "a\\%", "%", "_",
        "x' OR '1'='1", "x'); DROP TABLE memories; --", "\u05e9\u05dc\u05d5\u05dd\u200f", "\ud83e\udd16 bot",
    ];

    /// <summary>A store shared by every host of one test (a restart is a new host on the same store).</summary>
    protected abstract Task<IMemoryStore> CreateStoreAsync();

    [Test]
    public async Task EveryOperationStaysWithinItsAgent()
    {
        var store = await CreateStoreAsync();
        var owned = new Dictionary<string, List<Guid>>(StringComparer.Ordinal);
        await using (var host = MemoryTestHost.Create(store: store))
        {
            foreach (var agent in Agents)
            {
                owned[agent] = [];
                for (var i = 0; i < 3; i++)
                {
                    // The same content for every agent: nothing may be merged across agents either.
                    owned[agent].Add((await host.Memory.RememberAsync(agent, new MemoryDraft($"shared memory number {i}") { Tags = ["shared"] })).Id);
                }
            }

            await host.Memory.FlushAsync();
            await AssertIsolatedAsync(host.Memory, owned);
            await host.Memory.FlushAsync();
        }

        await using var restarted = MemoryTestHost.Create(store: store);
        await AssertIsolatedAsync(restarted.Memory, owned);
        foreach (var agent in Agents)
        {
            var loaded = await store.LoadMemoriesAsync(agent).Select(m => m.Id).ToListAsync();
            Assert.That(loaded, Is.EquivalentTo(owned[agent]), $"the store loads only '{agent}'");
        }
    }

    private static async Task AssertIsolatedAsync(IMemorySystem memory, Dictionary<string, List<Guid>> owned)
    {
        foreach (var agent in Agents)
        {
            var mine = owned[agent];
            Assert.That((await memory.ListAsync(agent)).Items.Select(m => m.Id), Is.EquivalentTo(mine), $"list of '{agent}'");
            var recalled = await memory.RecallAsync(agent, new RecallRequest("shared memory number") { MaxResults = 100, UpdateAccessStatistics = false });
            Assert.That(recalled.Select(r => r.Memory.Id), Is.EquivalentTo(mine), $"recall of '{agent}'");
            Assert.That((await memory.ListAsync(agent, new MemoryQuery { Tags = ["shared"] })).Items.All(m => m.AgentId == agent), Is.True);

            // Another agent's memory, named through this agent, is not found and stays as it was.
            var other = Agents.First(a => a != agent);
            var theirs = owned[other][0];
            var before = await memory.GetAsync(other, theirs);
            Assert.That(await memory.GetAsync(agent, theirs), Is.Null, $"'{agent}' reading a memory of '{other}'");
            Assert.That(async () => await memory.UpdateAsync(agent, theirs, new MemoryUpdate { Content = "hijacked" }), Throws.TypeOf<MemoryNotFoundException>(), $"'{agent}' updating a memory of '{other}'");
            Assert.That(await memory.ForgetAsync(agent, theirs), Is.False, $"'{agent}' forgetting a memory of '{other}'");
            Assert.That(await memory.RecordOutcomeAsync(agent, [theirs], -1), Is.Zero, $"'{agent}' rating a memory of '{other}'");
            Assert.That(await memory.GetAsync(other, theirs), Is.EqualTo(before), "unchanged");
        }
    }
}

public sealed class InMemoryIsolationTests : IsolationTests
{
    protected override Task<IMemoryStore> CreateStoreAsync() => Task.FromResult<IMemoryStore>(new AgentMemory.Storage.InMemoryMemoryStore());
}
