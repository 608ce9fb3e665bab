using System.Text.Json;
using AgentMemory.PostgreSql.Tests.TestSupport;
using AgentMemory.Tests.Persistence;
using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Persistence;

/// <summary>A restart on PostgreSQL, and what a load shares between the memories it reads.</summary>
public sealed class RestartTests : RestartContract
{
    private PostgresTestSchema? _schema;

    protected override async Task<MemoryTestHost> StartHostAsync() => await PostgresHost.StartAsync(_schema ??= await PostgresTestSchema.CreateAsync());

    [TearDown]
    public async Task DropSchemaAsync()
    {
        if (_schema is not null)
        {
            await _schema.DisposeAsync();
            _schema = null;
        }
    }

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
