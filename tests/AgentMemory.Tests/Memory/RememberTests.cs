using System.Text.Json;
using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace AgentMemory.Tests.Memory;

public sealed class RememberTests
{
    private static readonly DateTimeOffset Start = new(2026, 5, 1, 12, 0, 0, TimeSpan.Zero);
    private FakeTimeProvider _time = null!;
    private MemoryTestHost _host = null!;

    private IMemorySystem Memory => _host.Memory;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(Start);
        _host = MemoryTestHost.Create(time: _time);
    }

    [TearDown]
    public async Task TearDown() => await _host.DisposeAsync();

    [Test]
    public async Task SixtyFourDistinctTagsAreKeptHoweverOftenTheyRepeat()
    {
        // 128 tags, each of 64 distinct ones written twice (once in capitals, padded): at the limit, not over it.
        string[] tags = [.. Enumerable.Range(0, 64).Select(i => $"t{i}"), .. Enumerable.Range(0, 64).Select(i => $" T{63 - i} ")];

        var entry = await Memory.RememberAsync("a1", new MemoryDraft("tagged at the limit") { Tags = tags });

        Assert.That(entry.Tags, Is.EqualTo(Enumerable.Range(0, 64).Select(i => $"t{i}")), "first spelling order, case-folded, once each");
    }

    [Test]
    public async Task RememberedMemoryHasEveryFieldAndIsReadBack()
    {
        var metadata = JsonSerializer.SerializeToElement(new { source = "chat", turn = 3, nested = new { ok = true } });
        var entry = await Memory.RememberAsync("a1", new MemoryDraft("User prefers dark mode")
        {
            Type = MemoryType.Semantic,
            Importance = Importance.High,
            Valence = 0.4,
            Tags = ["UI", "Preferences", "ui"],
            Metadata = metadata,
            ExpiresAt = Start.AddDays(30),
        });

        Assert.Multiple(() =>
        {
            Assert.That(entry.Id.Version, Is.EqualTo(7), "time-ordered GUID v7");
            Assert.That(entry.AgentId, Is.EqualTo("a1"));
            Assert.That(entry.Type, Is.EqualTo(MemoryType.Semantic));
            Assert.That(entry.Content, Is.EqualTo("User prefers dark mode"));
            Assert.That(entry.Importance, Is.EqualTo(Importance.High));
            Assert.That(entry.Valence, Is.EqualTo(0.4));
            Assert.That(entry.Tags, Is.EqualTo(new[] { "ui", "preferences" }), "case-folded set");
            Assert.That(JsonElement.DeepEquals(entry.Metadata, metadata), Is.True);
            Assert.That(entry.CreatedAt, Is.EqualTo(Start));
            Assert.That(entry.LastAccessedAt, Is.EqualTo(Start));
            Assert.That(entry.AccessCount, Is.Zero);
            Assert.That(entry.Utility, Is.Zero, "utility starts neutral");
            Assert.That(entry.Version, Is.EqualTo(1));
            Assert.That(entry.ExpiresAt, Is.EqualTo(Start.AddDays(30)));
        });

        var read = await Memory.GetAsync("a1", entry.Id);
        Assert.That(read, Is.Not.Null);
        Assert.That(read!.Content, Is.EqualTo(entry.Content));
        Assert.That(read.Version, Is.EqualTo(1), "an embedding that joins the first write does not change the version");
    }

    [Test]
    public async Task SameContentAgainReinforcesInsteadOfDuplicating()
    {
        var first = await Memory.RememberAsync("a1", new MemoryDraft("The build server is  build-01")
        {
            Importance = Importance.Low,
            Tags = ["infra"],
            Metadata = JsonSerializer.SerializeToElement(new { source = "wiki" }),
        });

        // The embedding lands first (it is a new version of the memory when the writer has already taken the first),
        // so the version the reinforcement raises is the one stored now.
        await Memory.FlushAsync();
        var stored = (await Memory.GetAsync("a1", first.Id))!;
        _time.Advance(TimeSpan.FromHours(1));

        var again = await Memory.RememberAsync("a1", new MemoryDraft("  the BUILD server is build-01 ")
        {
            Importance = Importance.High,
            Tags = ["ci"],
            Metadata = JsonSerializer.SerializeToElement(new { source = "chat", confidence = 0.9 }),
        });

        Assert.Multiple(() =>
        {
            Assert.That(again.Id, Is.EqualTo(first.Id));
            Assert.That(again.Content, Is.EqualTo(first.Content), "the original wording is kept");
            Assert.That(again.AccessCount, Is.EqualTo(1));
            Assert.That(again.LastAccessedAt, Is.EqualTo(Start.AddHours(1)));
            Assert.That(again.Importance, Is.EqualTo(Importance.High), "the higher importance");
            Assert.That(again.Tags, Is.EqualTo(new[] { "infra", "ci" }), "tags united");
            Assert.That(again.Metadata.GetProperty("source").GetString(), Is.EqualTo("wiki"), "existing metadata kept");
            Assert.That(again.Metadata.GetProperty("confidence").GetDouble(), Is.EqualTo(0.9), "new metadata keys added");
            Assert.That(again.Version, Is.EqualTo(stored.Version + 1));
        });
        Assert.That((await Memory.ListAsync("a1")).TotalCount, Is.EqualTo(1));
    }

    [Test]
    public async Task RememberingAFactAgainNeverLosesEitherMemory()
    {
        var fact = await Memory.RememberAsync("a1", "Alice lives in Paris");
        var other = await Memory.RememberAsync("a1", "Alice works at Contoso");
        await Memory.RememberAsync("a1", "alice lives in paris");

        var all = (await Memory.ListAsync("a1")).Items;
        Assert.That(all.Select(e => e.Id), Is.EquivalentTo(new[] { fact.Id, other.Id }));
        await Memory.FlushAsync();
        Assert.That((await MemoryEntries.LoadAllAsync(_host.Store, "a1")).Select(e => e.Id), Is.EquivalentTo(new[] { fact.Id, other.Id }));
    }

    [Test]
    public async Task SameContentOfAnotherTypeIsAnotherMemory()
    {
        var episodic = await Memory.RememberAsync("a1", new MemoryDraft("deploy on fridays") { Type = MemoryType.Episodic });
        var procedural = await Memory.RememberAsync("a1", new MemoryDraft("deploy on fridays") { Type = MemoryType.Procedural });
        Assert.That(procedural.Id, Is.Not.EqualTo(episodic.Id));
    }

    [Test]
    public async Task SameContentForAnotherAgentIsAnotherMemory()
    {
        var a = await Memory.RememberAsync("a1", "shared words");
        var b = await Memory.RememberAsync("a2", "shared words");
        Assert.That(b.Id, Is.Not.EqualTo(a.Id));
        Assert.That(b.AccessCount, Is.Zero);
    }

    [Test]
    public async Task CallerSuppliedIdMakesARetryIdempotent()
    {
        var id = Guid.CreateVersion7();
        var first = await Memory.RememberAsync("a1", new MemoryDraft("once") { Id = id });
        var retry = await Memory.RememberAsync("a1", new MemoryDraft("once") { Id = id });
        Assert.That(retry.Id, Is.EqualTo(first.Id));
        Assert.That(retry.Version, Is.EqualTo(first.Version));
        var clash = Assert.CatchAsync<ArgumentException>(async () => await Memory.RememberAsync("a1", new MemoryDraft("something else") { Id = id }));
        Assert.That(clash!.ParamName, Is.EqualTo("id"));
    }

    [Test]
    public async Task CreationTimeCanBeGivenAndIsKeptAtMicrosecondPrecision()
    {
        var when = new DateTimeOffset(2023, 5, 8, 13, 56, 0, TimeSpan.FromHours(2)).AddTicks(1234567);
        var entry = await Memory.RememberAsync("a1", new MemoryDraft("historic") { CreatedAt = when });
        Assert.That(entry.CreatedAt, Is.EqualTo(when.AddTicks(-7)));
        Assert.That(entry.CreatedAt.Offset, Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public async Task RememberManyKeepsOrderAndDeduplicatesWithinTheBatch()
    {
        var entries = await Memory.RememberManyAsync("a1", ["one", "two", "ONE", "three"]);
        Assert.That(entries, Has.Count.EqualTo(4));
        Assert.That(entries[2].Id, Is.EqualTo(entries[0].Id));
        Assert.That((await Memory.ListAsync("a1")).TotalCount, Is.EqualTo(3));
    }

    [Test]
    public async Task ExpiredMemoriesAreNeverReturned()
    {
        var entry = await Memory.RememberAsync("a1", new MemoryDraft("temporary code 1234") { ExpiresAt = Start.AddMinutes(10) });
        Assert.That(await Memory.GetAsync("a1", entry.Id), Is.Not.Null);
        _time.Advance(TimeSpan.FromMinutes(10));
        Assert.That(await Memory.GetAsync("a1", entry.Id), Is.Null);
        Assert.That((await Memory.ListAsync("a1")).TotalCount, Is.Zero);
        Assert.That(await Memory.RecallAsync("a1", new RecallRequest("temporary code") { Threshold = 0 }), Is.Empty);
    }

    [Test]
    public async Task AgentHandleDoesTheSameWithoutTheAgentId()
    {
        var agent = Memory.ForAgent("handle-agent");
        var entry = await agent.RememberAsync("remembered through the handle");
        Assert.That(agent.AgentId, Is.EqualTo("handle-agent"));
        Assert.That((await agent.GetAsync(entry.Id))!.Content, Is.EqualTo("remembered through the handle"));
        Assert.That((await agent.ListAsync()).TotalCount, Is.EqualTo(1));
        Assert.That((await agent.RecallAsync("handle")).Single().Memory.Id, Is.EqualTo(entry.Id));
        Assert.That((await agent.UpdateAsync(entry.Id, new MemoryUpdate { Importance = Importance.Critical })).Importance, Is.EqualTo(Importance.Critical));
        Assert.That(await agent.RecordOutcomeAsync([entry.Id], 1), Is.EqualTo(1));
        Assert.That(await agent.LoadAsync(), Is.EqualTo(1));
        Assert.That(await agent.ForgetAsync(entry.Id), Is.True);
        await agent.RememberManyAsync(["x", "y"]);
        await agent.ForgetAllAsync();
        Assert.That((await agent.ListAsync()).TotalCount, Is.Zero);
        Assert.That((await Memory.ListAsync("handle-agent")).TotalCount, Is.Zero);
    }
}
