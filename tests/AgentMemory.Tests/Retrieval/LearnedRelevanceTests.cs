using AgentMemory.Storage;
using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Tests.Retrieval;

/// <summary>Outcomes with their task teach an agent which of its query words mislead it.</summary>
public sealed class LearnedRelevanceTests
{
    private const string Task = "The printer broke again for client 7, fix it";
    private const string Misleading = "The vpn broke again for client 3, fix it: reinstalling the vpn profile worked";
    private const string Right = "Customer reports a printer problem: cleaning the rollers worked";

    /// <summary>Other memories of the agent, sharing no word with the task.</summary>
    private static readonly string[] Others =
    [
        "Invoices are resent from the billing page",
        "Exports run every night at two",
        "The calendar syncs with the mail server hourly",
    ];

    [Test]
    public async Task AFailureThroughBoilerplateWordsLetsTheRightMemoryRankFirst()
    {
        await using var host = MemoryTestHost.Create();
        var memory = host.Memory.ForAgent("a1");
        var misleading = await memory.RememberAsync(Misleading);
        var right = await memory.RememberAsync(Right);
        await memory.RememberManyAsync(Others.Select(MemoryDraft.FromString));
        await host.Memory.FlushAsync();

        var before = await Recall(memory);
        Assert.That(before[0], Is.EqualTo(misleading.Id), "the shared boilerplate wins at first");

        // Misled three times by the same boilerplate (four words against one telling word).
        await MisleadThreeTimes(memory, misleading.Id);

        Assert.That((await Recall(memory))[0], Is.EqualTo(right.Id));
    }

    [Test]
    public async Task WithoutATaskOrWithLearningOffNothingIsLearnedAboutWords()
    {
        await using var host = MemoryTestHost.Create();
        foreach (var agent in new[] { "no-task", "off" })
        {
            var memory = host.Memory.ForAgent(agent);
            var misleading = await memory.RememberAsync(Misleading);
            await memory.RememberAsync(Right);
            await memory.RememberManyAsync(Others.Select(MemoryDraft.FromString));
            await host.Memory.FlushAsync();
            if (agent == "off")
            {
                await host.Memory.SetLearningEnabledAsync(agent, false);
                await MisleadThreeTimes(memory, misleading.Id);
            }
            else
            {
                for (var i = 0; i < 3; i++)
                {
                    await memory.RecordOutcomeAsync([misleading.Id], -1);
                }
            }

            Assert.That((await Recall(memory))[0], Is.EqualTo(misleading.Id), agent);
        }
    }

    [Test]
    public async Task WhatWasLearnedIsSavedWithTheAgentAndLoadedByANewHost()
    {
        var store = new InMemoryMemoryStore();
        Guid right;
        await using (var first = MemoryTestHost.Create(store: store))
        {
            var memory = first.Memory.ForAgent("a1");
            var misleading = await memory.RememberAsync(Misleading);
            right = (await memory.RememberAsync(Right)).Id;
            await memory.RememberManyAsync(Others.Select(MemoryDraft.FromString));
            await first.Memory.FlushAsync();
            await MisleadThreeTimes(memory, misleading.Id);
            await first.Memory.FlushAsync();
        }

        var state = await store.GetAgentAsync("a1");
        Assert.That(state!.Counters["misled:brok"], Is.EqualTo(3));

        await using var second = MemoryTestHost.Create(store: store);
        Assert.That((await Recall(second.Memory.ForAgent("a1")))[0], Is.EqualTo(right));
    }

    [Test]
    public async Task UnreadableSavedLearningIsIgnored()
    {
        var store = new InMemoryMemoryStore();
        await store.ApplyAsync(new MemoryChangeSet
        {
            Agents = [new AgentState { AgentId = "a1", CreatedAt = DateTimeOffset.UtcNow, Settings = MemoryJson.Parse("""{"learning":{"misled":{"brok":"x","again":-3,"fix":1e400},"semantic":[1],"lexical":"no"},"other":true}""") }],
        });
        await using var host = MemoryTestHost.Create(store: store);
        var memory = host.Memory.ForAgent("a1");
        var misleading = await memory.RememberAsync(Misleading);
        await memory.RememberAsync(Right);
        await memory.RememberManyAsync(Others.Select(MemoryDraft.FromString));
        await host.Memory.FlushAsync();

        Assert.That((await Recall(memory))[0], Is.EqualTo(misleading.Id));
        await memory.RecordOutcomeAsync([misleading.Id], -1, Task);
        await host.Memory.FlushAsync();
        var settings = (await store.GetAgentAsync("a1"))!.Settings;
        Assert.That(settings.GetProperty("other").GetBoolean(), Is.True, "settings the library does not own are kept");
    }

    private static async Task MisleadThreeTimes(IAgentMemory memory, Guid misleading)
    {
        foreach (var client in new[] { 7, 8, 9 })
        {
            await memory.RecordOutcomeAsync([misleading], -1, $"The printer broke again for client {client}, fix it");
        }
    }

    private static async Task<List<Guid>> Recall(IAgentMemory memory) =>
        [.. (await memory.RecallAsync(new RecallRequest(Task) { UpdateAccessStatistics = false })).Select(r => r.Memory.Id)];
}
