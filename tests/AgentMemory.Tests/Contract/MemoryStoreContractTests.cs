using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Tests.Contract;

/// <summary>
/// What every <see cref="IMemoryStore"/> must do. One subclass per store runs the whole suite against it; each test
/// uses agents of its own, so a store may be shared by a fixture.
/// </summary>
public abstract class MemoryStoreContractTests
{
    protected IMemoryStore Store { get; private set; } = null!;

    /// <summary>A store, initialized, for this fixture.</summary>
    protected abstract Task<IMemoryStore> CreateStoreAsync();

    [OneTimeSetUp]
    public async Task CreateStore()
    {
        Store = await CreateStoreAsync();
        await Store.InitializeAsync();
    }

    [Test]
    public async Task InitializeIsIdempotent()
    {
        await Store.InitializeAsync();
        await Store.InitializeAsync();
        var agent = Entries.UniqueAgent();
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [Entries.Simple(agent, "still works")] });
        Assert.That(await Entries.LoadAllAsync(Store, agent), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task RoundTripsEveryField()
    {
        var agent = Entries.UniqueAgent();
        var expected = Enumerable.Range(0, 8).Select(i => Entries.Full(agent, i)).ToList();
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = expected });

        var loaded = await Entries.LoadAllAsync(Store, agent);
        Assert.That(loaded, Has.Count.EqualTo(expected.Count));
        foreach (var entry in expected)
        {
            Entries.AssertSame(loaded.Single(e => e.Id == entry.Id), entry);
        }
    }

    [Test]
    public async Task RoundTripsEntryWithoutOptionalFields()
    {
        var agent = Entries.UniqueAgent();
        var entry = Entries.Simple(agent, "plain");
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [entry] });
        Entries.AssertSame((await Entries.LoadAllAsync(Store, agent)).Single(), entry);
    }

    [Test]
    public async Task RoundTripsExtremeDates()
    {
        var agent = Entries.UniqueAgent();
        var past = new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var future = new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_990);
        var entry = Entries.Simple(agent, "ancient") with { CreatedAt = past, LastAccessedAt = future, UpdatedAt = past.AddTicks(10), ExpiresAt = future };
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [entry] });
        Entries.AssertSame((await Entries.LoadAllAsync(Store, agent)).Single(), entry);
    }

    [Test]
    public async Task UpsertIsIdempotent()
    {
        var agent = Entries.UniqueAgent();
        var entry = Entries.Full(agent, 1);
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [entry] });
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [entry] });
        var loaded = await Entries.LoadAllAsync(Store, agent);
        Assert.That(loaded, Has.Count.EqualTo(1));
        Entries.AssertSame(loaded[0], entry);
    }

    [Test]
    public async Task ABatchOfNewMemoriesOneOfThemStoredAlreadyWritesThemAllOnce()
    {
        // A first write without the embedding, then a batch with it again (same version) and fresh memories.
        var agent = Entries.UniqueAgent();
        var first = Entries.Simple(agent, "written before its embedding arrived");
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [first] });
        var embedded = first with { Embedding = new float[] { 0.6f, 0.8f }, EmbeddingModel = "m" };
        var fresh = Enumerable.Range(0, 5).Select(i => Entries.Simple(agent, $"fresh {i}")).ToList();

        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [.. fresh, embedded] });

        var loaded = (await Entries.LoadAllAsync(Store, agent)).ToDictionary(m => m.Id);
        Assert.That(loaded, Has.Count.EqualTo(6));
        Entries.AssertSame(loaded[first.Id], embedded);
        foreach (var entry in fresh)
        {
            Entries.AssertSame(loaded[entry.Id], entry);
        }
    }

    [Test]
    public async Task ABatchWhoseNewMemoryIsStoredAlreadyStillAppliesEveryOtherChangeOnce()
    {
        // A batch written again after a lost commit acknowledgement: its new memory is there, and so is the rest.
        var agent = Entries.UniqueAgent();
        var kept = Entries.Simple(agent, "kept") with { AccessCount = 1 };
        var dropped = Entries.Simple(agent, "dropped");
        var stored = Entries.Simple(agent, "stored before the retry");
        var newer = Entries.Simple(agent, "older text", version: 2);
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [kept, dropped, stored, newer] });
        var later = kept.LastAccessedAt.AddMinutes(3);
        var fresh = Entries.Simple(agent, "fresh");
        var state = new AgentState { AgentId = agent, CreatedAt = DateTimeOffset.UnixEpoch, LearningEnabled = false };

        await Store.ApplyAsync(new MemoryChangeSet
        {
            Agents = [state],
            Deletes = [new MemoryKey(agent, dropped.Id)],
            Upserts = [stored, fresh, newer with { Content = "newer text", Version = 3 }],
            Accesses = [new MemoryAccess(agent, kept.Id, later, 4)],
        });

        var loaded = (await Entries.LoadAllAsync(Store, agent)).ToDictionary(m => m.Id);
        Assert.That(loaded.Keys, Is.EquivalentTo(new[] { kept.Id, stored.Id, newer.Id, fresh.Id }));
        Entries.AssertSame(loaded[stored.Id], stored);
        Entries.AssertSame(loaded[fresh.Id], fresh);
        Assert.That(loaded[newer.Id].Content, Is.EqualTo("newer text"));
        Assert.That(loaded[kept.Id].AccessCount, Is.EqualTo(4));
        Assert.That(loaded[kept.Id].LastAccessedAt, Is.EqualTo(later));
        Assert.That((await Store.GetAgentAsync(agent))!.LearningEnabled, Is.False);
    }

    [Test]
    public async Task NewerVersionReplacesOlder()
    {
        var agent = Entries.UniqueAgent();
        var v1 = Entries.Simple(agent, "first", version: 1);
        var v2 = v1 with { Content = "second", Version = 2, Importance = Importance.High };
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [v1] });
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [v2] });
        Entries.AssertSame((await Entries.LoadAllAsync(Store, agent)).Single(), v2);
    }

    [Test]
    public async Task LateOlderVersionNeverOverwritesNewer()
    {
        var agent = Entries.UniqueAgent();
        var v1 = Entries.Simple(agent, "first", version: 1);
        var v3 = v1 with { Content = "third", Version = 3 };
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [v3] });
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [v1] });
        var loaded = (await Entries.LoadAllAsync(Store, agent)).Single();
        Assert.That(loaded.Content, Is.EqualTo("third"));
        Assert.That(loaded.Version, Is.EqualTo(3));
    }

    [Test]
    public async Task AccessStatisticsOnlyGrow()
    {
        var agent = Entries.UniqueAgent();
        var entry = Entries.Simple(agent, "accessed") with { AccessCount = 5 };
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [entry] });
        var later = entry.LastAccessedAt.AddMinutes(5);
        await Store.ApplyAsync(new MemoryChangeSet { Accesses = [new MemoryAccess(agent, entry.Id, later, 9)] });
        await Store.ApplyAsync(new MemoryChangeSet { Accesses = [new MemoryAccess(agent, entry.Id, entry.LastAccessedAt, 2)] });

        var loaded = (await Entries.LoadAllAsync(Store, agent)).Single();
        Assert.That(loaded.AccessCount, Is.EqualTo(9));
        Assert.That(loaded.LastAccessedAt, Is.EqualTo(later));
        Assert.That(loaded.Version, Is.EqualTo(entry.Version), "access statistics do not change the version");
    }

    [Test]
    public async Task ANewerVersionKeepsTheHigherAccessStatistics()
    {
        var agent = Entries.UniqueAgent();
        var v1 = Entries.Simple(agent, "first", version: 1) with { AccessCount = 5 };
        var later = v1.LastAccessedAt.AddMinutes(5);
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [v1] });
        await Store.ApplyAsync(new MemoryChangeSet { Accesses = [new MemoryAccess(agent, v1.Id, later, 9)] });

        // A snapshot taken before those accesses: its content wins, its statistics do not.
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [v1 with { Content = "second", Version = 2, AccessCount = 6 }] });
        var loaded = (await Entries.LoadAllAsync(Store, agent)).Single();
        Assert.That((loaded.Content, loaded.AccessCount, loaded.LastAccessedAt), Is.EqualTo(("second", 9L, later)));

        // A snapshot further on than the stored statistics is kept as it is.
        var v3 = loaded with { Content = "third", Version = 3, AccessCount = 12, LastAccessedAt = later.AddMinutes(1) };
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [v3] });
        Entries.AssertSame((await Entries.LoadAllAsync(Store, agent)).Single(), v3);
    }

    [Test]
    public async Task AccessForAnotherAgentChangesNothing()
    {
        var owner = Entries.UniqueAgent();
        var other = Entries.UniqueAgent();
        var entry = Entries.Simple(owner, "mine");
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [entry] });
        await Store.ApplyAsync(new MemoryChangeSet { Accesses = [new MemoryAccess(other, entry.Id, entry.LastAccessedAt.AddDays(1), 50)] });
        Assert.That((await Entries.LoadAllAsync(Store, owner)).Single().AccessCount, Is.EqualTo(0));
    }

    [Test]
    public async Task DeleteRemovesOnlyThatMemory()
    {
        var agent = Entries.UniqueAgent();
        var keep = Entries.Simple(agent, "keep");
        var drop = Entries.Simple(agent, "drop");
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [keep, drop] });
        await Store.ApplyAsync(new MemoryChangeSet { Deletes = [new MemoryKey(agent, drop.Id)] });
        Assert.That((await Entries.LoadAllAsync(Store, agent)).Select(e => e.Id), Is.EqualTo(new[] { keep.Id }));
    }

    [Test]
    public async Task DeleteNamingAnotherAgentChangesNothing()
    {
        var owner = Entries.UniqueAgent();
        var intruder = Entries.UniqueAgent();
        var entry = Entries.Simple(owner, "mine");
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [entry] });
        await Store.ApplyAsync(new MemoryChangeSet { Deletes = [new MemoryKey(intruder, entry.Id)] });
        Assert.That(await Entries.LoadAllAsync(Store, owner), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task SameIdUnderTwoAgentsIsTwoMemories()
    {
        var a = Entries.UniqueAgent();
        var b = Entries.UniqueAgent();
        var id = Guid.CreateVersion7();
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [Entries.Simple(a, "a's", id: id), Entries.Simple(b, "b's", id: id)] });
        Assert.That((await Entries.LoadAllAsync(Store, a)).Single().Content, Is.EqualTo("a's"));
        Assert.That((await Entries.LoadAllAsync(Store, b)).Single().Content, Is.EqualTo("b's"));
    }

    [Test]
    public async Task DeleteThenUpsertInOneSetLeavesTheNewRow()
    {
        var agent = Entries.UniqueAgent();
        var old = Entries.Simple(agent, "old", version: 5);
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [old] });
        var reborn = old with { Content = "reborn", Version = 1 };
        await Store.ApplyAsync(new MemoryChangeSet { Deletes = [new MemoryKey(agent, old.Id)], Upserts = [reborn] });
        Entries.AssertSame((await Entries.LoadAllAsync(Store, agent)).Single(), reborn);
    }

    [Test]
    public async Task AgentsAreIsolatedEvenWithLookalikeIds()
    {
        var root = Entries.UniqueAgent();
        string[] agents = [root, root + "x", root.ToUpperInvariant(), root + "%", root + "_", root[..^1] + "_", root[..^1] + "%", "\u00e9" + root, "e\u0301" + root];
        foreach (var agent in agents)
        {
            await Store.ApplyAsync(new MemoryChangeSet { Upserts = [Entries.Simple(agent, $"owned by {agent}")] });
        }

        foreach (var agent in agents)
        {
            var loaded = await Entries.LoadAllAsync(Store, agent);
            Assert.That(loaded.Select(e => e.Content), Is.EqualTo(new[] { $"owned by {agent}" }), agent);
        }
    }

    [Test]
    public async Task StreamsTenThousandMemoriesInIdOrder()
    {
        var agent = Entries.UniqueAgent();
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var entries = Enumerable.Range(0, 10_000)
            .Select(i => Entries.Simple(agent, $"memory number {i}", created: start.AddSeconds(i)))
            .ToList();
        foreach (var chunk in entries.Chunk(2_500))
        {
            await Store.ApplyAsync(new MemoryChangeSet { Upserts = chunk });
        }

        var loaded = await Entries.LoadAllAsync(Store, agent);
        Assert.That(loaded, Has.Count.EqualTo(10_000));
        Assert.That(loaded.Select(e => e.Id), Is.EqualTo(entries.Select(e => e.Id).Order()));
        Assert.That(loaded.Select(e => e.Content).Distinct().Count(), Is.EqualTo(10_000));
    }

    [Test]
    public async Task DeletingAnAgentRemovesItsMemoriesAndStateOnly()
    {
        var doomed = Entries.UniqueAgent();
        var survivor = Entries.UniqueAgent();
        var now = DateTimeOffset.UnixEpoch.AddYears(56);
        await Store.ApplyAsync(new MemoryChangeSet
        {
            Agents = [new AgentState { AgentId = doomed, CreatedAt = now }, new AgentState { AgentId = survivor, CreatedAt = now }],
            Upserts = [Entries.Simple(doomed, "gone"), Entries.Simple(doomed, "gone too"), Entries.Simple(survivor, "stays")],
        });

        await Store.ApplyAsync(new MemoryChangeSet { DeletedAgents = [doomed] });

        Assert.That(await Entries.LoadAllAsync(Store, doomed), Is.Empty);
        Assert.That(await Store.GetAgentAsync(doomed), Is.Null);
        Assert.That(await Entries.LoadAllAsync(Store, survivor), Has.Count.EqualTo(1));
        Assert.That(await Store.GetAgentAsync(survivor), Is.Not.Null);
    }

    [Test]
    public async Task DeleteAgentThenRememberInOneSetKeepsTheNewMemory()
    {
        var agent = Entries.UniqueAgent();
        await Store.ApplyAsync(new MemoryChangeSet { Upserts = [Entries.Simple(agent, "before")] });
        var after = Entries.Simple(agent, "after");
        await Store.ApplyAsync(new MemoryChangeSet
        {
            DeletedAgents = [agent],
            Agents = [new AgentState { AgentId = agent, CreatedAt = DateTimeOffset.UnixEpoch }],
            Upserts = [after],
        });
        Assert.That((await Entries.LoadAllAsync(Store, agent)).Select(e => e.Content), Is.EqualTo(new[] { "after" }));
    }

    [Test]
    public async Task AgentStateRoundTripsAndKeepsItsCreationTime()
    {
        var agent = Entries.UniqueAgent();
        var created = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);
        var settings = MemoryJson.Parse("""{"persona":"helpful","limits":[1,2]}""");
        await Store.ApplyAsync(new MemoryChangeSet { Agents = [new AgentState { AgentId = agent, CreatedAt = created, Settings = settings }] });
        await Store.ApplyAsync(new MemoryChangeSet { Agents = [new AgentState { AgentId = agent, CreatedAt = created.AddDays(5), LearningEnabled = false, Settings = settings }] });

        var state = await Store.GetAgentAsync(agent);
        Assert.That(state, Is.Not.Null);
        Assert.That(state!.CreatedAt, Is.EqualTo(created));
        Assert.That(state.LearningEnabled, Is.False);
        Assert.That(System.Text.Json.JsonElement.DeepEquals(state.Settings, settings), Is.True);
    }

    [Test]
    public async Task ListsEveryKnownAgent()
    {
        var agents = Enumerable.Range(0, 5).Select(_ => Entries.UniqueAgent("listed")).ToList();
        await Store.ApplyAsync(new MemoryChangeSet { Agents = [.. agents.Select(a => new AgentState { AgentId = a, CreatedAt = DateTimeOffset.UnixEpoch })] });

        var listed = new List<string>();
        await foreach (var state in Store.ListAgentsAsync())
        {
            listed.Add(state.AgentId);
        }

        Assert.That(listed, Is.SupersetOf(agents));
        Assert.That(listed, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
    }

    [Test]
    public async Task EmptyChangeSetIsAccepted()
    {
        await Store.ApplyAsync(new MemoryChangeSet());
        Assert.That(await Store.GetAgentAsync(Entries.UniqueAgent()), Is.Null);
    }

    [Test]
    public async Task LoadingAnUnknownAgentYieldsNothing()
    {
        Assert.That(await Entries.LoadAllAsync(Store, Entries.UniqueAgent("never")), Is.Empty);
    }
}
