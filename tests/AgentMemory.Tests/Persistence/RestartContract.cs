using System.Text.Json;
using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Tests.Persistence;

/// <summary>
/// What one host wrote to a durable store, a new host on the same store loads back: every field of every memory of
/// every agent (10,000 memories, 20 agents, hostile agent ids and text). Each durable store's fixture starts hosts on
/// one fresh store per test.
/// </summary>
public abstract class RestartContract
{
    /// <summary>Starts a host on the test's store (created on the first call of a test, the same store after).</summary>
    protected abstract Task<MemoryTestHost> StartHostAsync();

    /// <summary>Checks the store itself after the restart (its files, its settings); nothing by default.</summary>
    protected virtual Task AssertStoreAsync() => Task.CompletedTask;

    [Test]
    public async Task ANewHostGetsBackEveryMemoryOfEveryAgentWithEveryField()
    {
        const int Agents = 20, PerAgent = 500;
        var written = new Dictionary<Guid, MemoryEntry>();
        await using (var first = await StartHostAsync())
        {
            for (var a = 0; a < Agents; a++)
            {
                var drafts = Enumerable.Range(0, PerAgent).Select(i => Draft(a, i)).ToList();
                foreach (var entry in await first.Memory.RememberManyAsync(AgentId(a), drafts))
                {
                    written[entry.Id] = entry;
                }
            }

            await first.Memory.FlushAsync();

            // Embeddings arrive in the background; the state to compare is the one after the flush.
            for (var a = 0; a < Agents; a++)
            {
                foreach (var entry in (await first.Memory.ListAsync(AgentId(a), new MemoryQuery { Limit = PerAgent })).Items)
                {
                    written[entry.Id] = entry;
                }
            }

            await first.StopAsync();
        }

        Assert.That(written, Has.Count.EqualTo(Agents * PerAgent));
        Assert.That(written.Values.All(e => e.Embedding is { Length: 384 }), Is.True, "every memory was embedded before the restart");

        await using var second = await StartHostAsync();
        var found = 0;
        for (var a = 0; a < Agents; a++)
        {
            var page = await second.Memory.ListAsync(AgentId(a), new MemoryQuery { Limit = PerAgent * 2 });
            Assert.That(page.TotalCount, Is.EqualTo(PerAgent), $"agent {a}");
            foreach (var entry in page.Items)
            {
                MemoryEntries.AssertSame(entry, written[entry.Id]);
                found++;
            }
        }

        Assert.That(found, Is.EqualTo(Agents * PerAgent));
        var recalled = await second.Memory.RecallAsync(AgentId(7), new RecallRequest("invoice 7-123 approval") { UpdateAccessStatistics = false });
        Assert.That(recalled, Is.Not.Empty);
        Assert.That(recalled[0].Memory.Content, Does.Contain("invoice 7-123 "));
        await AssertStoreAsync();
    }

    private static string AgentId(int a) => a % 2 == 0 ? $"agent-{a}" : $"Агент «{a}» 🤖 '; DROP TABLE memories; --";

    private static MemoryDraft Draft(int agent, int i) => new($"Memory {i} of agent {agent}: invoice {agent}-{i} needs approval — naïve café 日本 😀 \"quoted\"")
    {
        Type = (MemoryType)(i % 4),
        Importance = (Importance)(i % 4),
        Valence = ((i % 21) - 10) / 10.0,
        Tags = [$"t{i % 7}", "Invoices", "ünïcode"],
        Metadata = JsonDocument.Parse($$$"""{"turn":{{{i}}},"nested":{"list":[1,2.5,"x",null,true,{"deep":"ü 😀"}],"empty":{}},"big":12345678901234567890}""").RootElement.Clone(),
        CreatedAt = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i).AddTicks(12_340),
        ExpiresAt = i % 5 == 0 ? new DateTimeOffset(2099, 1, 1, 0, 0, 0, TimeSpan.Zero) : null,
    };
}
