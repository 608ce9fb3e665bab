using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace AgentMemory.Tests.Trust;

/// <summary>Inputs at the edges get a clear error naming the field, or do what they say.</summary>
public sealed class EdgeInputTests
{
    [TestCase(double.MaxValue)]
    [TestCase(1e300)]
    [TestCase(101.0)]
    public async Task RecallWeightsBeyondTheirRangeAreRefusedNamingTheWeight(double weight)
    {
        await using var host = MemoryTestHost.Create();
        await host.Memory.RememberAsync("a1", "weights are checked");

        var refused = Assert.CatchAsync<ArgumentException>(async () => await host.Memory.RecallAsync("a1",
            new RecallRequest("weights") { Weights = new RecallWeights { Relevance = weight, Utility = weight } }));

        Assert.That(refused!.ParamName, Is.EqualTo("weights.Relevance"));
    }

    [Test]
    public async Task TheLargestWeightsStillGiveAFiniteScore()
    {
        await using var host = MemoryTestHost.Create();
        await host.Memory.RememberAsync("a1", "weights are checked");
        var max = MemoryValidatorMaxWeight;

        var recalled = await host.Memory.RecallAsync("a1",
            new RecallRequest("weights checked") { Weights = new RecallWeights { Relevance = max, Recency = max, Importance = max, Utility = max }, Threshold = 0 });

        Assert.That(recalled.Single().Score, Is.InRange(0.0, 1.0));
    }

    [TestCase("\u200B\u200B\u200B")]
    [TestCase("\uFEFF")]
    [TestCase("\u200D\u2060\u200C")]
    [TestCase("\u0001\u0002\t")]
    [TestCase("\u200E\u202E ")]
    public async Task ContentWithNothingVisibleIsRefused(string content)
    {
        await using var host = MemoryTestHost.Create();

        var refused = Assert.CatchAsync<ArgumentException>(async () => await host.Memory.RememberAsync("a1", content));

        Assert.That(refused!.ParamName, Is.EqualTo("content"));
        Assert.That((await host.Memory.ListAsync("a1")).TotalCount, Is.Zero);
    }

    [Test]
    public async Task ContentWithInvisibleCharactersBesideTextIsKept()
    {
        await using var host = MemoryTestHost.Create();

        var entry = await host.Memory.RememberAsync("a1", "\uFEFFzero\u200Bwidth");

        Assert.That(entry.Content, Is.EqualTo("\uFEFFzero\u200Bwidth"));
    }

    [Test]
    public async Task AnUpdateCanClearTheExpiry()
    {
        await using var host = MemoryTestHost.Create();
        var entry = await host.Memory.RememberAsync("a1", new MemoryDraft("expires") { ExpiresAt = DateTimeOffset.UtcNow.AddDays(1) });

        var updated = await host.Memory.UpdateAsync("a1", entry.Id, new MemoryUpdate { ClearExpiresAt = true });

        Assert.That((updated.ExpiresAt, (await host.Memory.GetAsync("a1", entry.Id))!.ExpiresAt), Is.EqualTo(((DateTimeOffset?)null, (DateTimeOffset?)null)));
        Assert.That(updated.Version, Is.EqualTo(entry.Version + 1));
    }

    [Test]
    public async Task AnUpdateCannotBothSetAndClearTheExpiry()
    {
        await using var host = MemoryTestHost.Create();
        var entry = await host.Memory.RememberAsync("a1", new MemoryDraft("expires") { ExpiresAt = DateTimeOffset.UtcNow.AddDays(1) });

        var refused = Assert.CatchAsync<ArgumentException>(async () =>
            await host.Memory.UpdateAsync("a1", entry.Id, new MemoryUpdate { ClearExpiresAt = true, ExpiresAt = DateTimeOffset.UtcNow.AddDays(2) }));

        Assert.That(refused!.ParamName, Is.EqualTo("expiresAt"));
        Assert.That((await host.Memory.GetAsync("a1", entry.Id))!.Version, Is.EqualTo(entry.Version), "nothing changed");
    }

    [Test]
    public async Task APartOfAJapaneseSentenceRecallsItAboveTheDefaultThreshold()
    {
        await using var host = MemoryTestHost.Create();
        var email = await host.Memory.RememberAsync("a1", "顧客は電子メールでの連絡を希望しています");
        await host.Memory.RememberAsync("a1", "請求書は毎月末に送付されます");
        await host.Memory.RememberAsync("a1", "The customer prefers phone calls");

        var recalled = await host.Memory.RecallAsync("a1", "電子メール");

        Assert.That(recalled, Is.Not.Empty, "passes the default threshold");
        Assert.That(recalled[0].Memory.Id, Is.EqualTo(email.Id));
    }

    [Test]
    public async Task AChineseQueryFindsTheMemoryThatContainsIt()
    {
        await using var host = MemoryTestHost.Create();
        var refund = await host.Memory.RememberAsync("a1", "客户要求在三天内退款");
        await host.Memory.RememberAsync("a1", "客户喜欢通过电话联系");

        var recalled = await host.Memory.RecallAsync("a1", "退款");

        Assert.That(recalled.Select(r => r.Memory.Id).FirstOrDefault(), Is.EqualTo(refund.Id));
    }

    [Test]
    public async Task AfterTheHostStopsReadsAndRecallAnswerAndChangesAreRefused()
    {
        var host = MemoryTestHost.Create();
        await host.StartAsync();
        var entry = await host.Memory.RememberAsync("a1", "the release ships on Friday");
        await host.StopAsync();

        var recalled = await host.Memory.RecallAsync("a1", "when does the release ship");

        Assert.That(recalled.Select(r => r.Memory.Id), Is.EqualTo(new[] { entry.Id }));
        Assert.That(await host.Memory.GetAsync("a1", entry.Id), Is.Not.Null);
        Assert.That((await host.Memory.ListAsync("a1")).TotalCount, Is.EqualTo(1));
        Assert.ThrowsAsync<ObjectDisposedException>(async () => await host.Memory.RememberAsync("a1", "too late"));
        Assert.ThrowsAsync<ObjectDisposedException>(async () => await host.Memory.UpdateAsync("a1", entry.Id, new MemoryUpdate { Importance = Importance.High }));
        await host.DisposeAsync();
    }

    private static double MemoryValidatorMaxWeight => AgentMemory.Validation.MemoryValidator.MaxWeight;
}
