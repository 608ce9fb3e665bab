using AgentMemory.Storage;
using NUnit.Framework;

namespace AgentMemory.Testing;

/// <summary>
/// What every <see cref="IMemoryStore"/> must do: derive an NUnit fixture from this class and return your store from
/// <see cref="CreateStoreAsync"/>, and the whole suite runs against it. Each test uses agents of its own, so one store
/// serves the whole fixture.
/// </summary>
public abstract partial class MemoryStoreContract
{
    /// <summary>The store under test, created once per fixture.</summary>
    protected IMemoryStore Store { get; private set; } = null!;

    /// <summary>Creates the store under test (it is initialized by the suite).</summary>
    /// <returns>The store.</returns>
    protected abstract Task<IMemoryStore> CreateStoreAsync();

    /// <summary>Creates and initializes the store once for the fixture.</summary>
    /// <returns>A task that completes when the store is ready.</returns>
    [OneTimeSetUp]
    public async Task CreateStore()
    {
        Store = await CreateStoreAsync();
        await Store.InitializeAsync();
    }

    /// <summary>Contract: Initialize is idempotent.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task InitializeIsIdempotent()
    {
        await Store.InitializeAsync();
        await Store.InitializeAsync();
        var agent = MemoryEntries.UniqueAgent();
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [MemoryEntries.Simple(agent, "still works")] });
        Assert.That(await MemoryEntries.LoadAllAsync(Store, agent), Has.Count.EqualTo(1));
    }

    /// <summary>Contract: Round trips every field.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task RoundTripsEveryField()
    {
        var agent = MemoryEntries.UniqueAgent();
        var expected = Enumerable.Range(0, 8).Select(i => MemoryEntries.Full(agent, i)).ToList();
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = expected });

        var loaded = await MemoryEntries.LoadAllAsync(Store, agent);
        Assert.That(loaded, Has.Count.EqualTo(expected.Count));
        foreach (var entry in expected)
        {
            MemoryEntries.AssertSame(loaded.Single(e => e.Id == entry.Id), entry);
        }
    }

    /// <summary>Contract: Round trips entry without optional fields.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task RoundTripsEntryWithoutOptionalFields()
    {
        var agent = MemoryEntries.UniqueAgent();
        var entry = MemoryEntries.Simple(agent, "plain");
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [entry] });
        MemoryEntries.AssertSame((await MemoryEntries.LoadAllAsync(Store, agent)).Single(), entry);
    }

    /// <summary>Contract: Round trips extreme dates.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task RoundTripsExtremeDates()
    {
        var agent = MemoryEntries.UniqueAgent();
        var past = new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var future = new DateTimeOffset(9999, 12, 31, 23, 59, 59, TimeSpan.Zero).AddTicks(9_999_990);
        var entry = MemoryEntries.Simple(agent, "ancient") with { CreatedAt = past, LastAccessedAt = future, UpdatedAt = past.AddTicks(10), ExpiresAt = future };
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [entry] });
        MemoryEntries.AssertSame((await MemoryEntries.LoadAllAsync(Store, agent)).Single(), entry);
    }

    /// <summary>Contract: Upsert is idempotent.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task UpsertIsIdempotent()
    {
        var agent = MemoryEntries.UniqueAgent();
        var entry = MemoryEntries.Full(agent, 1);
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [entry] });
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [entry] });
        var loaded = await MemoryEntries.LoadAllAsync(Store, agent);
        Assert.That(loaded, Has.Count.EqualTo(1));
        MemoryEntries.AssertSame(loaded[0], entry);
    }

    /// <summary>Contract: Abatch of new memories one of them stored already writes them all once.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task ABatchOfNewMemoriesOneOfThemStoredAlreadyWritesThemAllOnce()
    {
        // A first write without the embedding, then a batch with it again (same version) and fresh memories.
        var agent = MemoryEntries.UniqueAgent();
        var first = MemoryEntries.Simple(agent, "written before its embedding arrived");
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [first] });
        var embedded = first with { Embedding = new float[] { 0.6f, 0.8f }, EmbeddingModel = "m" };
        var fresh = Enumerable.Range(0, 5).Select(i => MemoryEntries.Simple(agent, $"fresh {i}")).ToList();

        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [.. fresh, embedded] });

        var loaded = (await MemoryEntries.LoadAllAsync(Store, agent)).ToDictionary(m => m.Id);
        Assert.That(loaded, Has.Count.EqualTo(6));
        MemoryEntries.AssertSame(loaded[first.Id], embedded);
        foreach (var entry in fresh)
        {
            MemoryEntries.AssertSame(loaded[entry.Id], entry);
        }
    }

    /// <summary>Contract: Abatch whose new memory is stored already still applies every other change once.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task ABatchWhoseNewMemoryIsStoredAlreadyStillAppliesEveryOtherChangeOnce()
    {
        // A batch written again after a lost commit acknowledgement: its new memory is there, and so is the rest.
        var agent = MemoryEntries.UniqueAgent();
        var kept = MemoryEntries.Simple(agent, "kept") with { AccessCount = 1 };
        var dropped = MemoryEntries.Simple(agent, "dropped");
        var stored = MemoryEntries.Simple(agent, "stored before the retry");
        var newer = MemoryEntries.Simple(agent, "older text", version: 2);
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [kept, dropped, stored, newer] });
        var later = kept.LastAccessedAt.AddMinutes(3);
        var fresh = MemoryEntries.Simple(agent, "fresh");
        var state = new AgentState { AgentId = agent, CreatedAt = DateTimeOffset.UnixEpoch, LearningEnabled = false };

        await Store.ApplyAsync(new MemoryChangeSet
        {
            Agents = [state],
            Deletes = [new MemoryKey(agent, dropped.Id)],
            Inserts = [stored, fresh],
            Updates = [new MemoryPatch(newer with { Content = "newer text", Version = 3 }, MemoryFields.Content)],
            Accesses = [new MemoryAccess(agent, kept.Id, later, 4)],
        });

        var loaded = (await MemoryEntries.LoadAllAsync(Store, agent)).ToDictionary(m => m.Id);
        Assert.That(loaded.Keys, Is.EquivalentTo(new[] { kept.Id, stored.Id, newer.Id, fresh.Id }));
        MemoryEntries.AssertSame(loaded[stored.Id], stored);
        MemoryEntries.AssertSame(loaded[fresh.Id], fresh);
        Assert.That(loaded[newer.Id].Content, Is.EqualTo("newer text"));
        Assert.That(loaded[kept.Id].AccessCount, Is.EqualTo(5));
        Assert.That(loaded[kept.Id].LastAccessedAt, Is.EqualTo(later));
        Assert.That((await Store.GetAgentAsync(agent))!.LearningEnabled, Is.False);
    }

    /// <summary>Contract: A patch of every field replaces the memory.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task APatchOfEveryFieldReplacesTheMemory()
    {
        var agent = MemoryEntries.UniqueAgent();
        var v1 = MemoryEntries.Full(agent, 1) with { Version = 1 };
        var v2 = MemoryEntries.Full(agent, 2) with { Id = v1.Id, Version = 2, AccessCount = v1.AccessCount, LastAccessedAt = v1.LastAccessedAt, Utility = v1.Utility + 0.25 };
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [v1] });
        await Store.ApplyAsync(new MemoryChangeSet { Updates = [new MemoryPatch(v2, MemoryPatch.Diff(v1, v2), 0.25)] });
        MemoryEntries.AssertSame((await MemoryEntries.LoadAllAsync(Store, agent)).Single(), v2);
    }

    /// <summary>Contract: An update of a memory not stored inserts it.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task AnUpdateOfAMemoryNotStoredInsertsIt()
    {
        var agent = MemoryEntries.UniqueAgent();
        var entry = MemoryEntries.Full(agent, 3);
        await Store.ApplyAsync(new MemoryChangeSet { Updates = [new MemoryPatch(entry, MemoryFields.All)] });
        MemoryEntries.AssertSame((await MemoryEntries.LoadAllAsync(Store, agent)).Single(), entry);
    }

    /// <summary>Contract: Two hosts patching different fields of one memory both keep their change; per field the later commit wins.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task PatchesOfDifferentFieldsBothSurvive()
    {
        var agent = MemoryEntries.UniqueAgent();
        var stored = MemoryEntries.Simple(agent, "first wording", version: 1);
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [stored] });
        var hostA = Guid.NewGuid();
        var hostB = Guid.NewGuid();

        // Both hosts change the memory as they hold it (version 1); A commits first.
        var byA = stored with { Content = "corrected wording", Version = 2, UpdatedAt = stored.UpdatedAt.AddSeconds(1) };
        var byB = stored with { Importance = Importance.Critical, Valence = 0.5, Version = 2, UpdatedAt = stored.UpdatedAt.AddSeconds(2) };
        await Store.ApplyAsync(new MemoryChangeSet { Writer = hostA, Updates = [new MemoryPatch(byA, MemoryFields.Content)] });
        await Store.ApplyAsync(new MemoryChangeSet { Writer = hostB, Updates = [new MemoryPatch(byB, MemoryFields.Importance | MemoryFields.Valence)] });

        var loaded = (await MemoryEntries.LoadAllAsync(Store, agent)).Single();
        Assert.That((loaded.Content, loaded.Importance, loaded.Valence), Is.EqualTo(("corrected wording", Importance.Critical, 0.5)));
        Assert.That(loaded.Version, Is.EqualTo(3), "every applied change raises the version");
        Assert.That(loaded.UpdatedAt, Is.EqualTo(byB.UpdatedAt));

        // The same field again: the later commit wins.
        await Store.ApplyAsync(new MemoryChangeSet { Writer = hostA, Updates = [new MemoryPatch(byA with { Importance = Importance.Low }, MemoryFields.Importance)] });
        Assert.That((await MemoryEntries.LoadAllAsync(Store, agent)).Single().Importance, Is.EqualTo(Importance.Low));
    }

    /// <summary>Contract: Utility moves by the deltas of every host and stays within [-1, 1].</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task UtilityMovesByDeltas()
    {
        var agent = MemoryEntries.UniqueAgent();
        var stored = MemoryEntries.Simple(agent, "useful") with { Utility = 0.2 };
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [stored] });
        await Store.ApplyAsync(new MemoryChangeSet { Writer = Guid.NewGuid(), Updates = [new MemoryPatch(stored with { Utility = 0.5 }, MemoryFields.Utility, 0.3)] });
        await Store.ApplyAsync(new MemoryChangeSet { Writer = Guid.NewGuid(), Updates = [new MemoryPatch(stored with { Utility = 0.3 }, MemoryFields.Utility, 0.1)] });
        Assert.That((await MemoryEntries.LoadAllAsync(Store, agent)).Single().Utility, Is.EqualTo(0.6).Within(1e-9));
        await Store.ApplyAsync(new MemoryChangeSet { Updates = [new MemoryPatch(stored with { Utility = 1 }, MemoryFields.Utility, 0.9)] });
        Assert.That((await MemoryEntries.LoadAllAsync(Store, agent)).Single().Utility, Is.EqualTo(1.0));
    }

    /// <summary>Contract: Accesses add up, and the last access is the latest given.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task AccessesAddUp()
    {
        var agent = MemoryEntries.UniqueAgent();
        var entry = MemoryEntries.Simple(agent, "accessed") with { AccessCount = 5 };
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [entry] });
        var later = entry.LastAccessedAt.AddMinutes(5);
        await Store.ApplyAsync(new MemoryChangeSet { Writer = Guid.NewGuid(), Accesses = [new MemoryAccess(agent, entry.Id, later, 9)] });
        await Store.ApplyAsync(new MemoryChangeSet { Writer = Guid.NewGuid(), Accesses = [new MemoryAccess(agent, entry.Id, entry.LastAccessedAt, 2), new MemoryAccess(agent, entry.Id, entry.LastAccessedAt, 1)] });

        var loaded = (await MemoryEntries.LoadAllAsync(Store, agent)).Single();
        Assert.That(loaded.AccessCount, Is.EqualTo(17));
        Assert.That(loaded.LastAccessedAt, Is.EqualTo(later));
        Assert.That(loaded.Version, Is.EqualTo(entry.Version), "access statistics do not change the version");
    }

    /// <summary>Contract: A patch never sets the access count; accesses recorded meanwhile stay.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task APatchNeverChangesTheAccessCount()
    {
        var agent = MemoryEntries.UniqueAgent();
        var v1 = MemoryEntries.Simple(agent, "first", version: 1) with { AccessCount = 5 };
        var later = v1.LastAccessedAt.AddMinutes(5);
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [v1] });
        await Store.ApplyAsync(new MemoryChangeSet { Accesses = [new MemoryAccess(agent, v1.Id, later, 4)] });
        await Store.ApplyAsync(new MemoryChangeSet { Updates = [new MemoryPatch(v1 with { Content = "second", Version = 2, AccessCount = 6 }, MemoryFields.Content)] });
        var loaded = (await MemoryEntries.LoadAllAsync(Store, agent)).Single();
        Assert.That((loaded.Content, loaded.AccessCount, loaded.LastAccessedAt), Is.EqualTo(("second", 9L, later)));
    }

    /// <summary>Contract: A vector lands only on the content it was computed for.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task AnEmbeddingLandsOnlyOnItsContent()
    {
        var agent = MemoryEntries.UniqueAgent();
        var stored = MemoryEntries.Simple(agent, "old text");
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [stored] });
        await Store.ApplyAsync(new MemoryChangeSet { Writer = Guid.NewGuid(), Updates = [new MemoryPatch(stored with { Content = "new text" }, MemoryFields.Content | MemoryFields.Embedding)] });

        // Another host's vector for the old text arrives late: it is not the new text's vector.
        var late = stored with { Embedding = new float[] { 1, 0 }, EmbeddingModel = "m" };
        await Store.ApplyAsync(new MemoryChangeSet { Writer = Guid.NewGuid(), Updates = [new MemoryPatch(late, MemoryFields.Embedding)] });
        var loaded = (await MemoryEntries.LoadAllAsync(Store, agent)).Single();
        Assert.That((loaded.Content, loaded.Embedding.HasValue), Is.EqualTo(("new text", false)));

        var current = loaded with { Embedding = new float[] { 0, 1 }, EmbeddingModel = "m" };
        await Store.ApplyAsync(new MemoryChangeSet { Updates = [new MemoryPatch(current, MemoryFields.Embedding)] });
        Assert.That((await MemoryEntries.LoadAllAsync(Store, agent)).Single().Embedding!.Value.ToArray(), Is.EqualTo(new float[] { 0, 1 }));
    }

    /// <summary>Contract: Delete removes only that memory.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task DeleteRemovesOnlyThatMemory()
    {
        var agent = MemoryEntries.UniqueAgent();
        var keep = MemoryEntries.Simple(agent, "keep");
        var drop = MemoryEntries.Simple(agent, "drop");
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [keep, drop] });
        await Store.ApplyAsync(new MemoryChangeSet { Deletes = [new MemoryKey(agent, drop.Id)] });
        Assert.That((await MemoryEntries.LoadAllAsync(Store, agent)).Select(e => e.Id), Is.EqualTo(new[] { keep.Id }));
    }

    /// <summary>Contract: Delete then upsert in one set leaves the new row.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task DeleteThenUpsertInOneSetLeavesTheNewRow()
    {
        var agent = MemoryEntries.UniqueAgent();
        var old = MemoryEntries.Simple(agent, "old", version: 5);
        await Store.ApplyAsync(new MemoryChangeSet { Inserts = [old] });
        var reborn = old with { Content = "reborn", Version = 1 };
        await Store.ApplyAsync(new MemoryChangeSet { Deletes = [new MemoryKey(agent, old.Id)], Inserts = [reborn] });
        MemoryEntries.AssertSame((await MemoryEntries.LoadAllAsync(Store, agent)).Single(), reborn);
    }

    /// <summary>Contract: Streams ten thousand memories in id order.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task StreamsTenThousandMemoriesInIdOrder()
    {
        var agent = MemoryEntries.UniqueAgent();
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var entries = Enumerable.Range(0, 10_000)
            .Select(i => MemoryEntries.Simple(agent, $"memory number {i}", created: start.AddSeconds(i)))
            .ToList();
        foreach (var chunk in entries.Chunk(2_500))
        {
            await Store.ApplyAsync(new MemoryChangeSet { Inserts = chunk });
        }

        var loaded = await MemoryEntries.LoadAllAsync(Store, agent);
        Assert.That(loaded, Has.Count.EqualTo(10_000));
        Assert.That(loaded.Select(e => e.Id), Is.EqualTo(entries.Select(e => e.Id).Order()));
        Assert.That(loaded.Select(e => e.Content).Distinct().Count(), Is.EqualTo(10_000));
    }

    /// <summary>Contract: Empty change set is accepted.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task EmptyChangeSetIsAccepted()
    {
        await Store.ApplyAsync(new MemoryChangeSet());
        Assert.That(await Store.GetAgentAsync(MemoryEntries.UniqueAgent()), Is.Null);
    }

    /// <summary>Contract: Loading an unknown agent yields nothing.</summary>
    /// <returns>A task that completes when the check is done.</returns>
    [Test]
    public async Task LoadingAnUnknownAgentYieldsNothing()
    {
        Assert.That(await MemoryEntries.LoadAllAsync(Store, MemoryEntries.UniqueAgent("never")), Is.Empty);
    }
}
