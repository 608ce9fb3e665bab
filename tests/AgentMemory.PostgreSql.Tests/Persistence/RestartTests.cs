using System.Text.Json;
using AgentMemory.PostgreSql.Tests.TestSupport;
using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Persistence;

public sealed class RestartTests
{
    [Test]
    public async Task ANewHostGetsBackEveryMemoryOfEveryAgentWithEveryField()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        const int Agents = 20, PerAgent = 500;
        var written = new Dictionary<Guid, MemoryEntry>();
        await using (var first = await PostgresHost.StartAsync(schema))
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

        await using var second = await PostgresHost.StartAsync(schema);
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

    [Test]
    public async Task LoadedMemoriesShareWhatTheirRowsRepeat()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        await using (var first = await PostgresHost.StartAsync(schema))
        {
            await first.Memory.RememberAsync("a1", new MemoryDraft("first memory") { Tags = ["billing", "urgent"] });
            await first.Memory.RememberAsync("a1", new MemoryDraft("second memory") { Tags = ["urgent", "billing"] });
            await first.Memory.RememberAsync("a1", new MemoryDraft("third memory") { Metadata = JsonSerializer.SerializeToElement(new { kept = true }) });
            await first.Memory.FlushAsync();
            await first.StopAsync();
        }

        await using var second = await PostgresHost.StartAsync(schema);
        var loaded = (await second.Memory.ListAsync("a1")).Items.ToDictionary(m => m.Content);
        var (one, two, three) = (loaded["first memory"], loaded["second memory"], loaded["third memory"]);
        Assert.Multiple(() =>
        {
            Assert.That(two.Tags, Is.EqualTo(new[] { "urgent", "billing" }), "each memory's own tags, in its order");
            Assert.That(two.Tags[1], Is.SameAs(one.Tags[0]), "one string per distinct tag");
            Assert.That(two.EmbeddingModel, Is.Not.Null.And.SameAs(one.EmbeddingModel), "one string per embedding model");
            Assert.That(two.SourceIds, Is.Empty.And.SameAs(one.SourceIds), "one empty array for memories without sources");
            Assert.That(one.Metadata.GetRawText(), Is.EqualTo("{}"));
            Assert.That(three.Metadata.GetProperty("kept").GetBoolean(), Is.True, "metadata that is not empty is its own");
        });
    }
}
