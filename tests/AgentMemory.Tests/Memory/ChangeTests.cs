using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Tests.Memory;

public sealed class ChangeTests
{
    private MemoryTestHost _host = null!;

    private IMemorySystem Memory => _host.Memory;

    [SetUp]
    public void SetUp() => _host = MemoryTestHost.Create(o => o.Embeddings.UseBuiltInGenerator = false);

    [TearDown]
    public async Task TearDown() => await _host.DisposeAsync();

    [Test]
    public async Task UpdateChangesFieldsAndBumpsTheVersion()
    {
        var entry = await Memory.RememberAsync("a1", new MemoryDraft("draft text") { Tags = ["old"] });

        // The embedding lands first (a new version when the writer has already taken the first write).
        await Memory.FlushAsync();
        var stored = (await Memory.GetAsync("a1", entry.Id))!;
        var updated = await Memory.UpdateAsync("a1", entry.Id, new MemoryUpdate
        {
            Content = "final text",
            Tags = ["new"],
            Importance = Importance.Critical,
            Type = MemoryType.Semantic,
            Valence = -0.5,
        });

        Assert.Multiple(() =>
        {
            Assert.That(updated.Id, Is.EqualTo(entry.Id));
            Assert.That(updated.Content, Is.EqualTo("final text"));
            Assert.That(updated.Tags, Is.EqualTo(new[] { "new" }));
            Assert.That(updated.Importance, Is.EqualTo(Importance.Critical));
            Assert.That(updated.Type, Is.EqualTo(MemoryType.Semantic));
            Assert.That(updated.Valence, Is.EqualTo(-0.5));
            Assert.That(updated.Version, Is.EqualTo(stored.Version + 1));
            Assert.That(updated.CreatedAt, Is.EqualTo(entry.CreatedAt));
        });

        var recalled = await Memory.RecallAsync("a1", "final");
        Assert.That(recalled.Single().Memory.Id, Is.EqualTo(entry.Id), "the index sees the new content");
        Assert.That(await Memory.RecallAsync("a1", "draft"), Is.Empty, "and no longer the old");
        await Memory.FlushAsync();
        MemoryEntries.AssertSame((await MemoryEntries.LoadAllAsync(_host.Store, "a1")).Single(), (await Memory.GetAsync("a1", entry.Id))!);
    }

    [Test]
    public async Task UpdatingAnotherAgentsMemoryFailsAndChangesNothing()
    {
        var mine = await Memory.RememberAsync("owner", "owner's secret");
        var ex = Assert.CatchAsync<MemoryNotFoundException>(async () => await Memory.UpdateAsync("intruder", mine.Id, new MemoryUpdate { Content = "hacked" }));
        Assert.That(ex!.AgentId, Is.EqualTo("intruder"));
        Assert.That(ex.MemoryId, Is.EqualTo(mine.Id));
        Assert.That((await Memory.GetAsync("owner", mine.Id))!.Content, Is.EqualTo("owner's secret"));
        Assert.That(await Memory.GetAsync("intruder", mine.Id), Is.Null);
    }

    [Test]
    public async Task ForgetRemovesOnlyOwnMemories()
    {
        var mine = await Memory.RememberAsync("owner", "keep me");
        Assert.That(await Memory.ForgetAsync("intruder", mine.Id), Is.False);
        Assert.That(await Memory.GetAsync("owner", mine.Id), Is.Not.Null);
        Assert.That(await Memory.ForgetAsync("owner", mine.Id), Is.True);
        Assert.That(await Memory.GetAsync("owner", mine.Id), Is.Null);
        Assert.That(await Memory.ForgetAsync("owner", mine.Id), Is.False, "forgetting twice is a no-op");
        await Memory.FlushAsync();
        Assert.That(await MemoryEntries.LoadAllAsync(_host.Store, "owner"), Is.Empty);
    }

    [Test]
    public async Task ForgettingAnAgentLeavesOthersAndAllowsANewStart()
    {
        await Memory.RememberManyAsync("doomed", ["a", "b", "c"]);
        await Memory.RememberAsync("survivor", "still here");
        await Memory.FlushAsync();

        await Memory.ForgetAgentAsync("doomed");
        Assert.That((await Memory.ListAsync("doomed")).TotalCount, Is.Zero);
        var fresh = await Memory.RememberAsync("doomed", "a new beginning");
        await Memory.FlushAsync();

        Assert.That((await MemoryEntries.LoadAllAsync(_host.Store, "doomed")).Select(e => e.Id), Is.EqualTo(new[] { fresh.Id }));
        Assert.That(await MemoryEntries.LoadAllAsync(_host.Store, "survivor"), Has.Count.EqualTo(1));
        Assert.That(await _host.Store.GetAgentAsync("doomed"), Is.Not.Null, "the agent exists again");
    }

    [Test]
    public async Task ListFiltersAndPages()
    {
        var t0 = DateTimeOffset.UtcNow.AddDays(-10);
        for (var i = 0; i < 10; i++)
        {
            await Memory.RememberAsync("a1", new MemoryDraft($"memory {i}")
            {
                Type = i % 2 == 0 ? MemoryType.Episodic : MemoryType.Semantic,
                Importance = (Importance)(i % 4),
                Tags = i < 5 ? ["early", "x"] : ["late"],
                CreatedAt = t0.AddDays(i),
            });
        }

        var semantic = await Memory.ListAsync("a1", new MemoryQuery { Types = [MemoryType.Semantic] });
        Assert.That(semantic.Items.Select(e => e.Content), Is.EqualTo(new[] { "memory 1", "memory 3", "memory 5", "memory 7", "memory 9" }));

        var tagged = await Memory.ListAsync("a1", new MemoryQuery { Tags = ["EARLY", "x"] });
        Assert.That(tagged.TotalCount, Is.EqualTo(5));

        var important = await Memory.ListAsync("a1", new MemoryQuery { MinImportance = Importance.High });
        Assert.That(important.Items.All(e => e.Importance >= Importance.High), Is.True);
        Assert.That(important.TotalCount, Is.EqualTo(4), "i % 4 in {2, 3} for i < 10");

        var window = await Memory.ListAsync("a1", new MemoryQuery { CreatedAfter = t0.AddDays(2), CreatedBefore = t0.AddDays(5) });
        Assert.That(window.Items.Select(e => e.Content), Is.EqualTo(new[] { "memory 2", "memory 3", "memory 4" }));

        var page = await Memory.ListAsync("a1", new MemoryQuery { Offset = 3, Limit = 4 });
        Assert.That(page.TotalCount, Is.EqualTo(10));
        Assert.That(page.Items.Select(e => e.Content), Is.EqualTo(new[] { "memory 3", "memory 4", "memory 5", "memory 6" }));
    }

    [Test]
    public async Task OutcomesMoveUtilityTowardTheReward()
    {
        var used = await Memory.RememberAsync("a1", "use the retry helper");
        var unused = await Memory.RememberAsync("a1", "something else");
        Assert.That(await Memory.RecordOutcomeAsync("a1", [used.Id, Guid.NewGuid()], 1.0), Is.EqualTo(1), "unknown ids are ignored");
        var once = (await Memory.GetAsync("a1", used.Id))!;
        Assert.That(once.Utility, Is.EqualTo(0.3).Within(1e-9), "0 + 0.3 × (1 − 0)");
        await Memory.RecordOutcomeAsync("a1", [used.Id], -1.0);
        Assert.That((await Memory.GetAsync("a1", used.Id))!.Utility, Is.EqualTo(0.3 + (0.3 * (-1 - 0.3))).Within(1e-9));
        Assert.That((await Memory.GetAsync("a1", unused.Id))!.Utility, Is.Zero);
    }

    [Test]
    public async Task LearningCanBeSwitchedOffPerAgent()
    {
        var entry = await Memory.RememberAsync("a1", "a memory");
        await Memory.SetLearningEnabledAsync("a1", false);
        Assert.That(await Memory.RecordOutcomeAsync("a1", [entry.Id], 1.0), Is.Zero);
        Assert.That((await Memory.GetAsync("a1", entry.Id))!.Utility, Is.Zero);
        await Memory.FlushAsync();
        Assert.That((await _host.Store.GetAgentAsync("a1"))!.LearningEnabled, Is.False);

        await Memory.SetLearningEnabledAsync("a1", true);
        Assert.That(await Memory.RecordOutcomeAsync("a1", [entry.Id], 1.0), Is.EqualTo(1));
    }
}
