using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace AgentMemory.Tests.Retrieval;

public sealed class RecallRankingTests
{
    private static readonly RecallWeights RelevanceOnly = new() { Relevance = 1, Recency = 0, Importance = 0, Utility = 0 };

    [Test]
    public async Task WithRelevanceAloneTheExactMatchRanksFirst()
    {
        await using var host = MemoryTestHost.Create();
        var memory = host.Memory.ForAgent("a1");
        await memory.RememberAsync("The staging database password rotates every Monday");
        var exact = await memory.RememberAsync("Deploys to production need two approvals from the release team");
        await memory.RememberAsync("Production incidents are reviewed on Fridays");
        await memory.RememberAsync("The release team lunch is on Thursday");
        await host.Memory.FlushAsync();

        await host.Memory.FlushAsync(); // every memory embedded, so all are compared on the same signals
        var results = await memory.RecallAsync(new RecallRequest("Deploys to production need two approvals from the release team") { Weights = RelevanceOnly, Threshold = 0 });

        Assert.That(results[0].Memory.Id, Is.EqualTo(exact.Id));
        Assert.That(results[0].Breakdown.Lexical, Is.EqualTo(1).Within(1e-6));
        Assert.That(results[0].Breakdown.Relevance, Is.EqualTo(1).Within(1e-5), "the query leans on its rarer words, yet the same text is still a perfect match");
        Assert.That(results.Select(r => r.Score), Is.Ordered.Descending);
    }

    [Test]
    public async Task TheBuiltInEmbeddingOfAQueryWeighsTheWordThatTellsMemoriesApartOverSharedBoilerplate()
    {
        // Embedding similarity alone: an unweighted query vector is mostly the boilerplate it shares with 12 memories.
        await using var host = MemoryTestHost.Create(o => o.Recall.SemanticShare = 1);
        var memory = host.Memory.ForAgent("a1");
        string[] topics = ["invoice", "password", "webhook", "shipping", "export", "calendar", "printer", "vpn", "mailbox", "license", "backup", "dashboard"];
        foreach (var topic in topics)
        {
            await memory.RememberAsync($"Please handle the {topic} request from user 4242");
        }

        var checkout = await memory.RememberAsync("Ticket 17: something is wrong with the checkout");
        await host.Memory.FlushAsync();

        var results = await memory.RecallAsync(new RecallRequest("Please handle the checkout request from user 5151") { Weights = RelevanceOnly, Threshold = 0 });

        Assert.That(results[0].Memory.Id, Is.EqualTo(checkout.Id), string.Join(" | ", results.Take(3).Select(r => $"{r.Memory.Content} {r.Breakdown.Semantic:F2}")));
    }

    [Test]
    public async Task WithEqualRelevanceTheMoreRecentRanksFirst()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero));
        await using var host = MemoryTestHost.Create(time: time);
        var memory = host.Memory.ForAgent("a1");
        var old = await memory.RememberAsync(new MemoryDraft("backup job failed on node alpha") { Type = MemoryType.Episodic });
        time.Advance(TimeSpan.FromDays(30));
        var recent = await memory.RememberAsync(new MemoryDraft("backup job failed on node alpha") { Type = MemoryType.Semantic });

        await host.Memory.FlushAsync(); // every memory embedded, so all are compared on the same signals
        var results = await memory.RecallAsync(new RecallRequest("backup job failed") { Weights = new RecallWeights { Relevance = 1, Recency = 0.5, Importance = 0, Utility = 0 }, Threshold = 0 });

        Assert.That(results.Select(r => r.Memory.Id), Is.EqualTo(new[] { recent.Id, old.Id }));
        Assert.That(results[0].Breakdown.Relevance, Is.EqualTo(results[1].Breakdown.Relevance).Within(1e-6));
        Assert.That(results[0].Breakdown.Recency, Is.GreaterThan(results[1].Breakdown.Recency));
    }

    [Test]
    public async Task WithEqualRelevanceTheMoreImportantRanksFirst()
    {
        await using var host = MemoryTestHost.Create();
        var memory = host.Memory.ForAgent("a1");
        var low = await memory.RememberAsync(new MemoryDraft("invoice export uses the EU endpoint") { Importance = Importance.Low });
        var critical = await memory.RememberAsync(new MemoryDraft("invoice export uses the EU endpoint") { Importance = Importance.Critical, Type = MemoryType.Semantic });

        await host.Memory.FlushAsync(); // every memory embedded, so all are compared on the same signals
        var results = await memory.RecallAsync(new RecallRequest("invoice export endpoint") { Weights = new RecallWeights { Relevance = 1, Recency = 0, Importance = 0.5, Utility = 0 }, Threshold = 0 });

        Assert.That(results.Select(r => r.Memory.Id), Is.EqualTo(new[] { critical.Id, low.Id }));
    }

    [Test]
    public async Task FiltersExcludeWhatTheyShould()
    {
        await using var host = MemoryTestHost.Create();
        var memory = host.Memory.ForAgent("a1");
        var procedural = await memory.RememberAsync(new MemoryDraft("restart the queue worker to clear stuck jobs") { Type = MemoryType.Procedural, Tags = ["ops"], Importance = Importance.High });
        await memory.RememberAsync(new MemoryDraft("the queue worker had stuck jobs last week") { Type = MemoryType.Episodic, Tags = ["ops"] });
        await memory.RememberAsync(new MemoryDraft("queue worker stuck jobs are rare") { Type = MemoryType.Procedural, Tags = ["notes"], Importance = Importance.Low });

        await host.Memory.FlushAsync(); // every memory embedded, so all are compared on the same signals
        var results = await memory.RecallAsync(new RecallRequest("queue worker stuck jobs")
        {
            Threshold = 0,
            Filter = new MemoryFilter { Types = [MemoryType.Procedural], Tags = ["ops"], MinImportance = Importance.Medium },
        });

        Assert.That(results.Select(r => r.Memory.Id), Is.EqualTo(new[] { procedural.Id }));
    }

    [Test]
    public async Task TheThresholdCutsWeakMatches()
    {
        await using var host = MemoryTestHost.Create();
        var memory = host.Memory.ForAgent("a1");
        await memory.RememberAsync("kubernetes pod eviction happens under memory pressure");
        await memory.RememberAsync("the cafeteria serves soup on Tuesdays");
        await host.Memory.FlushAsync();

        var loose = await memory.RecallAsync(new RecallRequest("why was the kubernetes pod evicted") { Threshold = 0, Weights = RelevanceOnly });
        var strict = await memory.RecallAsync(new RecallRequest("why was the kubernetes pod evicted") { Threshold = 0.5, Weights = RelevanceOnly });

        Assert.That(strict, Has.Count.EqualTo(1));
        Assert.That(strict[0].Memory.Content, Does.Contain("kubernetes"));
        Assert.That(loose, Has.Count.GreaterThanOrEqualTo(strict.Count));
        Assert.That(loose.All(r => r.Breakdown.Relevance < 0.5 || strict.Any(s => s.Memory.Id == r.Memory.Id)), Is.True);
    }

    [Test]
    public async Task RecallUpdatesAccessStatisticsOfWhatItReturns()
    {
        await using var host = MemoryTestHost.Create();
        var memory = host.Memory.ForAgent("a1");
        var entry = await memory.RememberAsync("the VPN certificate expires in March");

        await memory.RecallAsync("VPN certificate");
        var after = await memory.GetAsync(entry.Id);

        Assert.That(after!.AccessCount, Is.EqualTo(entry.AccessCount + 1));
    }

    [Test]
    public async Task TheTopKIsExactlyTheHeadOfTheFullRanking()
    {
        // Recall skips the vectors of memories that cannot reach the top k; the result must not change for it.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero));
        await using var host = MemoryTestHost.Create(time: time);
        var memory = host.Memory.ForAgent("a1");
        var random = new Random(11);
        string[] words = ["deploy", "refund", "invoice", "backup", "timeout", "cache", "schema", "review", "alert", "retry", "vendor", "index"];
        await memory.RememberManyAsync(Enumerable.Range(0, 600).Select(i => new MemoryDraft(
            string.Join(' ', Enumerable.Range(0, 6).Select(_ => words[random.Next(words.Length)])) + $" note {i}")
        {
            Importance = (Importance)random.Next(4),
            CreatedAt = time.GetUtcNow().AddDays(-random.Next(60)),
        }));
        await host.Memory.FlushAsync();

        // With and without a filter: the best word matches, scored first to raise the bound, may fail the filter.
        foreach (var filter in new MemoryFilter?[] { null, new MemoryFilter { MinImportance = Importance.High } })
        {
            foreach (var task in new[] { "deploy timeout after cache change", "refund for invoice", "backup alert retry", "unrelated words entirely" })
            {
                var all = await memory.RecallAsync(new RecallRequest(task) { MaxResults = 1000, Threshold = 0, Filter = filter, UpdateAccessStatistics = false });
                var top = await memory.RecallAsync(new RecallRequest(task) { MaxResults = 10, Threshold = 0, Filter = filter, UpdateAccessStatistics = false });
                Assert.That(top.Select(r => r.Score), Is.EqualTo(all.Take(10).Select(r => r.Score)), task);
                Assert.That(top.Select(r => r.Memory.Id), Is.EqualTo(all.Take(10).Select(r => r.Memory.Id)), task);
                Assert.That(top.All(r => filter is null || r.Memory.Importance >= Importance.High), Is.True, task);
            }
        }
    }
}
