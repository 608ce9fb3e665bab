using AgentMemory.Storage;
using NUnit.Framework;

namespace AgentMemory.Testing;

/// <summary>The contract's agent-level part: agents are isolated, erased whole, and keep their state.</summary>
public abstract partial class MemoryStoreContract
{
    /// <summary>Contract: Access for another agent changes nothing.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task AccessForAnotherAgentChangesNothing()
    {
        var owner = MemoryEntries.UniqueAgent();
        var other = MemoryEntries.UniqueAgent();
        var entry = MemoryEntries.Simple(owner, "mine");
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [entry] });
        await Store.ApplyAsync(new MemoryChangeSet { Accesses = [new MemoryAccess(other, entry.Id, entry.LastAccessedAt.AddDays(1), 50)] });
        Assert.That((await MemoryEntries.LoadAllAsync(Store, owner)).Single().AccessCount, Is.EqualTo(0));
    }

    /// <summary>Contract: Delete naming another agent changes nothing.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task DeleteNamingAnotherAgentChangesNothing()
    {
        var owner = MemoryEntries.UniqueAgent();
        var intruder = MemoryEntries.UniqueAgent();
        var entry = MemoryEntries.Simple(owner, "mine");
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [entry] });
        await Store.ApplyAsync(new MemoryChangeSet { Deletes = [new MemoryKey(intruder, entry.Id)] });
        Assert.That(await MemoryEntries.LoadAllAsync(Store, owner), Has.Count.EqualTo(1));
    }

    /// <summary>Contract: Same id under two agents is two memories.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task SameIdUnderTwoAgentsIsTwoMemories()
    {
        var a = MemoryEntries.UniqueAgent();
        var b = MemoryEntries.UniqueAgent();
        var id = Guid.CreateVersion7();
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [MemoryEntries.Simple(a, "a's", id: id), MemoryEntries.Simple(b, "b's", id: id)] });
        Assert.That((await MemoryEntries.LoadAllAsync(Store, a)).Single().Content, Is.EqualTo("a's"));
        Assert.That((await MemoryEntries.LoadAllAsync(Store, b)).Single().Content, Is.EqualTo("b's"));
    }

    /// <summary>Contract: Agents are isolated even with lookalike ids.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task AgentsAreIsolatedEvenWithLookalikeIds()
    {
        var root = MemoryEntries.UniqueAgent();
        string[] agents = [root, root + "x", root.ToUpperInvariant(), root + "%", root + "_", root[..^1] + "_", root[..^1] + "%", "\u00e9" + root, "e\u0301" + root];
        foreach (var agent in agents)
        {
            await Store.ApplyAsync(new MemoryChangeSet { Inserts = [MemoryEntries.Simple(agent, $"owned by {agent}")] });
        }

        foreach (var agent in agents)
        {
            var loaded = await MemoryEntries.LoadAllAsync(Store, agent);
            Assert.That(loaded.Select(e => e.Content), Is.EqualTo(new[] { $"owned by {agent}" }), agent);
        }
    }

    /// <summary>Contract: Deleting an agent removes its memories and state only.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task DeletingAnAgentRemovesItsMemoriesAndStateOnly()
    {
        var doomed = MemoryEntries.UniqueAgent();
        var survivor = MemoryEntries.UniqueAgent();
        var now = DateTimeOffset.UnixEpoch.AddYears(56);
        await Store.ApplyAsync(new MemoryChangeSet
        {
            Agents = [new AgentState { AgentId = doomed, CreatedAt = now }, new AgentState { AgentId = survivor, CreatedAt = now }],
            Inserts = [MemoryEntries.Simple(doomed, "gone"), MemoryEntries.Simple(doomed, "gone too"), MemoryEntries.Simple(survivor, "stays")],
        });

        await Store.ApplyAsync(new MemoryChangeSet { DeletedAgents = [doomed] });

        Assert.That(await MemoryEntries.LoadAllAsync(Store, doomed), Is.Empty);
        Assert.That(await Store.GetAgentAsync(doomed), Is.Null);
        Assert.That(await MemoryEntries.LoadAllAsync(Store, survivor), Has.Count.EqualTo(1));
        Assert.That(await Store.GetAgentAsync(survivor), Is.Not.Null);
    }

    /// <summary>Contract: Delete agent then remember in one set keeps the new memory.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task DeleteAgentThenRememberInOneSetKeepsTheNewMemory()
    {
        var agent = MemoryEntries.UniqueAgent();
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [MemoryEntries.Simple(agent, "before")] });
        var after = MemoryEntries.Simple(agent, "after");
        await Store.ApplyAsync(new MemoryChangeSet
        {
            DeletedAgents = [agent],
            Agents = [new AgentState { AgentId = agent, CreatedAt = DateTimeOffset.UnixEpoch }],
            Inserts = [after],
        });
        Assert.That((await MemoryEntries.LoadAllAsync(Store, agent)).Select(e => e.Content), Is.EqualTo(new[] { "after" }));
    }

    /// <summary>Contract: Agent state round trips and keeps its creation time.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task AgentStateRoundTripsAndKeepsItsCreationTime()
    {
        var agent = MemoryEntries.UniqueAgent();
        var created = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var settings = MemoryEntries.Json("""{"persona":"helpful","limits":[1,2]}""");
        await Store.ApplyAsync(new MemoryChangeSet { Agents = [new AgentState { AgentId = agent, CreatedAt = created, Settings = settings }] });
        await Store.ApplyAsync(new MemoryChangeSet { Agents = [new AgentState { AgentId = agent, CreatedAt = created.AddDays(5), LearningEnabled = false, Settings = settings }] });

        var state = await Store.GetAgentAsync(agent);
        Assert.That(state, Is.Not.Null);
        Assert.That(state!.CreatedAt, Is.EqualTo(created));
        Assert.That(state.LearningEnabled, Is.False);
        Assert.That(System.Text.Json.JsonElement.DeepEquals(state.Settings, settings), Is.True);
    }

    /// <summary>Contract: Lists every known agent.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task ListsEveryKnownAgent()
    {
        var agents = Enumerable.Range(0, 5).Select(_ => MemoryEntries.UniqueAgent("listed")).ToList();
        await Store.ApplyAsync(new MemoryChangeSet { Agents = [.. agents.Select(a => new AgentState { AgentId = a, CreatedAt = DateTimeOffset.UnixEpoch })] });

        var listed = new List<string>();
        await foreach (var state in Store.ListAgentsAsync())
        {
            listed.Add(state.AgentId);
        }

        Assert.That(listed, Is.SupersetOf(agents));
        Assert.That(listed, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
    }
}
