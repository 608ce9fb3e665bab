using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;
using static AgentMemory.Tests.TestSupport.VectorEmbeddingGenerator;

namespace AgentMemory.Tests.Consolidation;

/// <summary>Each consolidation step on a small hand-built set of memories, with exact expected results.</summary>
public sealed class ConsolidationStepTests
{
    private static readonly DateTimeOffset Start = new(2026, 6, 1, 8, 0, 0, TimeSpan.Zero);

    [Test]
    public async Task WorkingMemoryOverCapacityPromotesTheImportantOldestAndDropsTheRest()
    {
        var time = new FakeTimeProvider(Start);
        await using var host = MemoryTestHost.Create(
            o =>
            {
                o.Consolidation.WorkingCapacity = 2;
                o.Consolidation.PromotionImportance = Importance.Critical; // one step at a time: no promotion to semantic
            },
            time: time);
        var memory = host.Memory.ForAgent("a1");
        var oldLow = await RememberAt(memory, time, new MemoryDraft("scratch: user typed hello") { Type = MemoryType.Working, Importance = Importance.Low });
        var oldHigh = await RememberAt(memory, time, new MemoryDraft("the user is called Ada") { Type = MemoryType.Working, Importance = Importance.High });
        var recent1 = await RememberAt(memory, time, new MemoryDraft("current step: check the invoice") { Type = MemoryType.Working, Importance = Importance.Low });
        var recent2 = await RememberAt(memory, time, new MemoryDraft("current step: email the customer") { Type = MemoryType.Working, Importance = Importance.Low });

        var report = await memory.ConsolidateAsync();

        Assert.That(report.WorkingDropped, Is.EqualTo(1));
        Assert.That(report.WorkingPromoted, Is.EqualTo(1));
        Assert.That(await memory.GetAsync(oldLow.Id), Is.Null);
        Assert.That((await memory.GetAsync(oldHigh.Id))!.Type, Is.EqualTo(MemoryType.Episodic));
        Assert.That((await memory.GetAsync(recent1.Id))!.Type, Is.EqualTo(MemoryType.Working));
        Assert.That((await memory.GetAsync(recent2.Id))!.Type, Is.EqualTo(MemoryType.Working));
        Assert.That(report.Kept, Is.EqualTo(3));
    }

    [Test]
    public async Task NearDuplicatesMergeIntoTheMostImportantKeepingEverythingElse()
    {
        var vectors = new VectorEmbeddingGenerator()
            .Set("Deploys fail when the disk is full", Vector((0, 1f)))
            .Set("A full disk makes the deploy fail", Vector((0, 0.98f), (1, 0.2f)))
            .Set("The office opens at nine", Vector((5, 1f)));
        await using var host = MemoryTestHost.Create(services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(vectors));
        var memory = host.Memory.ForAgent("a1");
        var low = await memory.RememberAsync(new MemoryDraft("A full disk makes the deploy fail") { Tags = ["deploy", "disk"], Importance = Importance.Low });
        await memory.RememberAsync(new MemoryDraft("A full disk makes the deploy fail"));
        var high = await memory.RememberAsync(new MemoryDraft("Deploys fail when the disk is full") { Tags = ["ops"], Importance = Importance.High });
        var other = await memory.RememberAsync("The office opens at nine");

        var report = await memory.ConsolidateAsync();

        Assert.That(report.Merged, Is.EqualTo(1));
        Assert.That(await memory.GetAsync(low.Id), Is.Null);
        var survivor = (await memory.GetAsync(high.Id))!;
        Assert.That(survivor.Content, Is.EqualTo("Deploys fail when the disk is full"));
        Assert.That(survivor.Tags, Is.EqualTo(new[] { "ops", "deploy", "disk" }));
        Assert.That(survivor.AccessCount, Is.EqualTo(1), "the access counts summed (the second remember reinforced the low one)");
        Assert.That(survivor.Importance, Is.EqualTo(Importance.High));
        Assert.That(survivor.SourceIds, Is.EqualTo(new[] { low.Id }));
        Assert.That(await memory.GetAsync(other.Id), Is.Not.Null);
    }

    [Test]
    public async Task OftenRecalledOrImportantEpisodicMemoriesBecomeSemantic()
    {
        await using var host = MemoryTestHost.Create(o =>
        {
            o.Consolidation.PromotionAccessCount = 2;
            o.Consolidation.PromotionImportance = Importance.High;
        });
        var memory = host.Memory.ForAgent("a1");
        var used = await memory.RememberAsync("Invoices are due on the 15th");
        await memory.RememberAsync("Invoices are due on the 15th");
        await memory.RememberAsync("Invoices are due on the 15th");
        var important = await memory.RememberAsync(new MemoryDraft("Never share the admin password") { Importance = Importance.High });
        var plain = await memory.RememberAsync("Lunch was pasta today");

        var report = await memory.ConsolidateAsync();

        Assert.That(report.Promoted, Is.EqualTo(2));
        Assert.That((await memory.GetAsync(used.Id))!.Type, Is.EqualTo(MemoryType.Semantic));
        Assert.That((await memory.GetAsync(important.Id))!.Type, Is.EqualTo(MemoryType.Semantic));
        Assert.That((await memory.GetAsync(plain.Id))!.Type, Is.EqualTo(MemoryType.Episodic));
    }

    [Test]
    public async Task AClusterOfSimilarEpisodesBecomesOneSemanticMemoryListingItsSources()
    {
        var vectors = ClusterVectors();
        await using var host = MemoryTestHost.Create(services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(vectors));
        var memory = host.Memory.ForAgent("a1");
        var sources = new List<MemoryEntry>();
        foreach (var text in ClusterTexts)
        {
            sources.Add(await memory.RememberAsync(new MemoryDraft(text) { Tags = ["printer"] }));
        }

        var report = await memory.ConsolidateAsync();

        Assert.That(report.Promoted, Is.EqualTo(1));
        var semantic = (await memory.ListAsync(new MemoryQuery { Types = [MemoryType.Semantic] })).Items.Single();
        Assert.That(semantic.SourceIds, Is.EquivalentTo(sources.Select(s => s.Id)));
        Assert.That(semantic.Content, Is.EqualTo(ClusterTexts[1]), "the most central member's text");
        Assert.That(semantic.Tags, Is.EqualTo(new[] { "printer" }));
        foreach (var source in sources)
        {
            Assert.That((await memory.GetAsync(source.Id))!.Type, Is.EqualTo(MemoryType.Episodic), "the episodes stay");
        }
    }

    [Test]
    public async Task WithAChatClientTheClusterGetsItsOneSentenceGeneralization()
    {
        var chat = new ScriptedChatClient("  \"Printer jams come from damp paper.\" ");
        await using var host = await ClusterHostAsync(chat);
        var memory = host.Memory.ForAgent("a1");

        await memory.ConsolidateAsync();

        var semantic = (await memory.ListAsync(new MemoryQuery { Types = [MemoryType.Semantic] })).Items.Single();
        Assert.That(semantic.Content, Is.EqualTo("Printer jams come from damp paper."));
        var call = chat.Calls.Single();
        Assert.That(call.Messages[0].Text, Does.StartWith("You consolidate the long-term memory of an AI agent."));
        Assert.That(call.Messages[1].Text, Is.EqualTo(string.Join('\n', ClusterTexts.Select(t => "- " + t))));
        Assert.That(call.Options!.AdditionalProperties![MemoryChatProperties.Skip], Is.EqualTo(true));
    }

    [TestCase(null, TestName = "A failing chat client falls back to the extractive text")]
    [TestCase("First line.\nSecond line.", TestName = "A reply of two lines falls back to the extractive text")]
    [TestCase("   ", TestName = "An empty reply falls back to the extractive text")]
    public async Task ABadGeneralizationFallsBackToTheExtractiveText(string? reply)
    {
        var chat = new ScriptedChatClient(reply);
        await using var host = await ClusterHostAsync(chat);
        var memory = host.Memory.ForAgent("a1");

        var report = await memory.ConsolidateAsync();

        Assert.That(report.Promoted, Is.EqualTo(1));
        var semantic = (await memory.ListAsync(new MemoryQuery { Types = [MemoryType.Semantic] })).Items.Single();
        Assert.That(semantic.Content, Is.EqualTo(ClusterTexts[1]));
        Assert.That(host.Logs.GetSnapshot().Any(r => r.Id.Name is "GeneralizationFailed" or "GeneralizationRejected"), Is.True);
    }

    [Test]
    public async Task WeakMemoriesAreForgottenOnlyWhileTheirTypeIsOverCapacity()
    {
        var time = new FakeTimeProvider(Start);
        await using var host = MemoryTestHost.Create(
            o =>
            {
                o.Consolidation.EpisodicCapacity = 3;
                o.Consolidation.PromotionImportance = Importance.Critical;
            },
            time: time);
        var memory = host.Memory.ForAgent("a1");
        var weakest = await memory.RememberAsync(new MemoryDraft("a low memory") { Importance = Importance.Low });
        var weak = await memory.RememberAsync(new MemoryDraft("a medium memory") { Importance = Importance.Medium });
        var strong = await memory.RememberAsync(new MemoryDraft("a high memory") { Importance = Importance.High });
        time.Advance(TimeSpan.FromDays(1));
        var later = await memory.RememberAsync(new MemoryDraft("a later medium memory") { Importance = Importance.Medium });

        var early = await memory.ConsolidateAsync();
        Assert.That(early.Forgotten, Is.Zero, "after one day every retention is above the threshold");

        // Strength: low 3.5 days, medium 7, high 14. At day 30: low exp(-30/3.5) = 0.0002, medium exp(-30/7) = 0.014,
        // the later medium exp(-29/7) = 0.016, high exp(-30/14) = 0.12 (above the 0.05 threshold).
        time.Advance(TimeSpan.FromDays(29));
        await memory.RememberAsync(new MemoryDraft("a fifth memory") { Importance = Importance.High });
        var report = await memory.ConsolidateAsync();

        Assert.That(report.Forgotten, Is.EqualTo(2), "five episodic memories, capacity three");
        Assert.That(await memory.GetAsync(weakest.Id), Is.Null);
        Assert.That(await memory.GetAsync(weak.Id), Is.Null);
        Assert.That(await memory.GetAsync(strong.Id), Is.Not.Null);
        Assert.That(await memory.GetAsync(later.Id), Is.Not.Null, "the later medium memory is the stronger of the two mediums");
    }

    [Test]
    public async Task CriticalAndPinnedMemoriesSurviveAnyAmountOfTime()
    {
        var time = new FakeTimeProvider(Start);
        await using var host = MemoryTestHost.Create(
            o =>
            {
                o.Consolidation.EpisodicCapacity = 0;
                o.Consolidation.SemanticCapacity = 0;
                o.Consolidation.WorkingCapacity = 0;
                o.Consolidation.RetentionThreshold = 1;
            },
            time: time);
        var memory = host.Memory.ForAgent("a1");
        var critical = await memory.RememberAsync(new MemoryDraft("the production database password rotates monthly") { Importance = Importance.Critical });
        var pinned = await memory.RememberAsync(new MemoryDraft("the user's name is Ada") { Importance = Importance.Low, Tags = ["Pinned"] });
        var pinnedWorking = await memory.RememberAsync(new MemoryDraft("keep this scratch note") { Type = MemoryType.Working, Importance = Importance.Low, Tags = ["pinned"] });
        var ordinary = await memory.RememberAsync(new MemoryDraft("an ordinary memory") { Importance = Importance.High });

        time.Advance(TimeSpan.FromDays(365 * 100));
        await memory.ConsolidateAsync();
        await memory.ConsolidateAsync();

        Assert.That(await memory.GetAsync(critical.Id), Is.Not.Null);
        Assert.That(await memory.GetAsync(pinned.Id), Is.Not.Null);
        Assert.That(await memory.GetAsync(pinnedWorking.Id), Is.Not.Null, "a pinned working memory is promoted, not dropped");
        Assert.That(await memory.GetAsync(ordinary.Id), Is.Null);
    }

    [Test]
    public async Task ExpiredMemoriesAreRemoved()
    {
        var time = new FakeTimeProvider(Start);
        await using var host = MemoryTestHost.Create(time: time);
        var memory = host.Memory.ForAgent("a1");
        var expiring = await memory.RememberAsync(new MemoryDraft("the discount code SPRING works until noon") { ExpiresAt = Start.AddHours(4) });
        var lasting = await memory.RememberAsync("the shop is in Lyon");

        Assert.That((await memory.ConsolidateAsync()).Expired, Is.Zero);
        time.Advance(TimeSpan.FromHours(5));
        var report = await memory.ConsolidateAsync();

        Assert.That(report.Expired, Is.EqualTo(1));
        Assert.That(await memory.GetAsync(expiring.Id), Is.Null);
        Assert.That(await memory.GetAsync(lasting.Id), Is.Not.Null);
        await host.Memory.FlushAsync();
        var stored = await host.Store.LoadMemoriesAsync("a1").Select(m => m.Id).ToListAsync();
        Assert.That(stored, Is.EqualTo(new[] { lasting.Id }), "the removal reached the store");
    }

    private static readonly string[] ClusterTexts =
    [
        "The printer jammed after the damp paper was loaded",
        "Damp paper jammed the printer again this morning",
        "The printer jams whenever the paper is damp",
    ];

    private static VectorEmbeddingGenerator ClusterVectors() => TestSupport.ClusterVectors.For(ClusterTexts);

    /// <summary>A host with the cluster's vectors and the chat client, in which agent a1 remembered the cluster.</summary>
    private static async Task<MemoryTestHost> ClusterHostAsync(IChatClient chat)
    {
        var host = MemoryTestHost.Create(services: s =>
        {
            s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(ClusterVectors());
            s.AddSingleton(chat);
        });
        foreach (var text in ClusterTexts)
        {
            await host.Memory.RememberAsync("a1", text);
        }

        return host;
    }

    private static async Task<MemoryEntry> RememberAt(IAgentMemory memory, FakeTimeProvider time, MemoryDraft draft)
    {
        time.Advance(TimeSpan.FromMinutes(1));
        return await memory.RememberAsync(draft);
    }
}
