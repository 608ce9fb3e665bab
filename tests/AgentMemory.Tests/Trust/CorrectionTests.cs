using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using static AgentMemory.Tests.TestSupport.VectorEmbeddingGenerator;

namespace AgentMemory.Tests.Trust;

/// <summary>Consolidation never merges away a correction: memories that differ in a negation, a number, a date or a name are different facts.</summary>
public sealed class CorrectionTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);

    [TestCase("The patient is allergic to penicillin", "The patient is not allergic to penicillin")]
    [TestCase("Customer ACME wants to be contacted by email", "Customer ACME does not want to be contacted by email")]
    [TestCase("Deploy to production on Friday", "Do not deploy to production on Friday")]
    [TestCase("The customer asked about order 1234", "The customer asked about order 1235")]
    [TestCase("Call the customer back on +1 555 0100", "Call the customer back on +1 555 0199")]
    [TestCase("The audit is due on Monday", "The audit is due on Tuesday")]
    [TestCase("The account manager for this customer is Alice", "The account manager for this customer is Bob")]
    public async Task MemoriesThatDifferInANegationANumberADateOrANameAreNeverMerged(string older, string correction)
    {
        // One vector for both sentences: what the built-in embedder gives a negation (it drops "not" as a stop word), and
        // what a semantic model gives sentences that differ in one number or name.
        var time = new FakeTimeProvider(Start);
        var vectors = new VectorEmbeddingGenerator().Set(older, Vector((0, 1f))).Set(correction, Vector((0, 1f)));
        await using var host = MemoryTestHost.Create(time: time, services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(vectors));
        var memory = host.Memory.ForAgent("a1");
        var first = await memory.RememberAsync(new MemoryDraft(older) { Type = MemoryType.Semantic, Importance = Importance.High });
        time.Advance(TimeSpan.FromMinutes(5));
        var second = await memory.RememberAsync(new MemoryDraft(correction) { Type = MemoryType.Semantic });

        var report = await memory.ConsolidateAsync();

        Assert.That(report.Merged, Is.Zero);
        Assert.That((await memory.GetAsync(first.Id))?.Content, Is.EqualTo(older));
        Assert.That((await memory.GetAsync(second.Id))?.Content, Is.EqualTo(correction), "the correction survives");
    }

    [Test]
    public async Task WithTheBuiltInEmbedderANegationIsNeverMergedAway()
    {
        var time = new FakeTimeProvider(Start);
        await using var host = MemoryTestHost.Create(time: time);
        var memory = host.Memory.ForAgent("a1");
        await memory.RememberAsync(new MemoryDraft("The patient is allergic to penicillin") { Type = MemoryType.Semantic, Importance = Importance.High });
        time.Advance(TimeSpan.FromMinutes(5));
        var correction = await memory.RememberAsync(new MemoryDraft("The patient is not allergic to penicillin") { Type = MemoryType.Semantic });

        var report = await memory.ConsolidateAsync();

        Assert.That(report.Merged, Is.Zero);
        Assert.That((await memory.GetAsync(correction.Id))?.Content, Is.EqualTo("The patient is not allergic to penicillin"));
    }

    [Test]
    public async Task TrueDuplicatesMergeAndTheSurvivorCarriesTheNewestWording()
    {
        var time = new FakeTimeProvider(Start);
        var vectors = new VectorEmbeddingGenerator()
            .Set("Deploys fail when the disk is full", Vector((0, 1f)))
            .Set("Deploys fail once the disk is full", Vector((0, 0.99f), (1, 0.1f)));
        await using var host = MemoryTestHost.Create(time: time, services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(vectors));
        var memory = host.Memory.ForAgent("a1");
        var older = await memory.RememberAsync(new MemoryDraft("Deploys fail when the disk is full") { Importance = Importance.High, Tags = ["ops"] });
        time.Advance(TimeSpan.FromDays(1));
        var newer = await memory.RememberAsync(new MemoryDraft("Deploys fail once the disk is full") { Tags = ["disk"] });

        var report = await memory.ConsolidateAsync();
        await host.Memory.FlushAsync();

        Assert.That(report.Merged, Is.EqualTo(1));
        Assert.That(await memory.GetAsync(newer.Id), Is.Null);
        var survivor = (await memory.GetAsync(older.Id))!;
        Assert.That(survivor.Content, Is.EqualTo("Deploys fail once the disk is full"), "the newest wording");
        Assert.That(survivor.Importance, Is.EqualTo(Importance.High));
        Assert.That(survivor.Tags, Is.EqualTo(new[] { "ops", "disk" }));
        Assert.That(survivor.EmbeddingModel, Is.Not.Null, "embedded again for its new wording");
        var recalled = await memory.RecallAsync(new RecallRequest("deploys fail once the disk is full") { Threshold = 0 });
        Assert.That(recalled[0].Memory.Id, Is.EqualTo(older.Id), "found by its new words");
        var stored = (await MemoryEntries.LoadAllAsync(host.Store, "a1")).Single();
        Assert.That(stored.Content, Is.EqualTo("Deploys fail once the disk is full"));
    }
}
