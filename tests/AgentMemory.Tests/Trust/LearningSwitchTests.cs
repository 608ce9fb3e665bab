using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Tests.Trust;

/// <summary>Learning switched off means what was learned is not applied; a reset forgets it.</summary>
public sealed class LearningSwitchTests
{
    [Test]
    public async Task WithLearningOffRecallScoresAsIfNothingWasLearned()
    {
        var (taught, fact) = await TaughtTheWrongThingAsync();
        await using var _ = taught;
        await using var fresh = MemoryTestHost.Create();
        await RememberFactsAsync(fresh);
        var untaught = await ScoresAsync(fresh);
        Assert.That(await ScoresAsync(taught), Is.Not.EqualTo(untaught), "what was learned moved the scores");

        await taught.Memory.SetLearningEnabledAsync("a1", false);

        Assert.That(await ScoresAsync(taught), Is.EqualTo(untaught).Within(1e-9), "learning off: nothing learned is applied");
        Assert.That((await taught.Memory.GetAsync("a1", fact))!.Utility, Is.LessThan(-0.5), "but it is kept");

        await taught.Memory.SetLearningEnabledAsync("a1", true);
        Assert.That(await ScoresAsync(taught), Is.Not.EqualTo(untaught), "on again: applied again");
    }

    [Test]
    public async Task AResetForgetsWhatWasLearnedAndIsSaved()
    {
        var (taught, fact) = await TaughtTheWrongThingAsync();
        await using var fresh = MemoryTestHost.Create();
        await RememberFactsAsync(fresh);

        var reset = await taught.Memory.ResetLearningAsync("a1");
        await taught.Memory.FlushAsync();

        Assert.That(reset, Is.EqualTo(1), "one memory had a learned utility");
        Assert.That((await taught.Memory.GetAsync("a1", fact))!.Utility, Is.Zero);
        Assert.That(await ScoresAsync(taught), Is.EqualTo(await ScoresAsync(fresh)).Within(1e-9));
        var state = await taught.Store.GetAgentAsync("a1");
        Assert.That(state!.Counters, Is.Empty, "the saved lessons are gone too");
        var stored = (await MemoryEntries.LoadAllAsync(taught.Store, "a1")).Single(m => m.Id == fact);
        Assert.That(stored.Utility, Is.Zero);
        await taught.DisposeAsync();
    }

    /// <summary>Twenty failures with the right fact: its utility falls and the task's words count as misleading.</summary>
    private static async Task<(MemoryTestHost Host, Guid Fact)> TaughtTheWrongThingAsync()
    {
        var host = MemoryTestHost.Create();
        var fact = await RememberFactsAsync(host);
        for (var i = 0; i < 20; i++)
        {
            await host.Memory.RecordOutcomeAsync("a1", [fact], -1, "exports hang after the nightly job");
        }

        return (host, fact);
    }

    private static async Task<Guid> RememberFactsAsync(MemoryTestHost host)
    {
        var fact = await host.Memory.RememberAsync("a1", new MemoryDraft("Restart the export worker when exports hang") { CreatedAt = DateTimeOffset.UnixEpoch });
        await host.Memory.RememberAsync("a1", new MemoryDraft("The nightly job rotates the logs") { CreatedAt = DateTimeOffset.UnixEpoch });
        await host.Memory.RememberAsync("a1", new MemoryDraft("Exports are written to the shared drive") { CreatedAt = DateTimeOffset.UnixEpoch });

        // Every embedding computed, so the hosts compare the same vectors.
        await host.Memory.FlushAsync();
        return fact.Id;
    }

    private static async Task<double[]> ScoresAsync(MemoryTestHost host)
    {
        var recalled = await host.Memory.RecallAsync("a1", new RecallRequest("exports hang after the nightly job")
        {
            Threshold = 0,
            UpdateAccessStatistics = false,
            Weights = new RecallWeights { Recency = 0 },
        });
        return [.. recalled.OrderBy(r => r.Memory.Content, StringComparer.Ordinal).Select(r => r.Score)];
    }
}
