using System.Text.Json;
using AgentMemory.PostgreSql.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Reliability;

/// <summary>The numbers validation lets through are exactly those PostgreSQL keeps: they are saved and come back equal.</summary>
public sealed class PostgresNumberBoundsTests
{
    [Test]
    public async Task NumbersAtTheLimitsAreSavedAndReadBackAfterARestart()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var metadata = JsonDocument.Parse("""{"max":1e308,"min":-1.7976931348623157E+308,"tiny":1e-308,"long":12345678901234567890123}""").RootElement;
        MemoryEntry entry;
        await using (var host = await PostgresHost.StartAsync(schema, o => o.Persistence.Durability = Durability.WriteThrough))
        {
            entry = await host.Memory.RememberAsync("numbers", new MemoryDraft("a memory with numbers at the limits") { Metadata = metadata });
        }

        await using var restarted = await PostgresHost.StartAsync(schema);
        var loaded = (await restarted.Memory.GetAsync("numbers", entry.Id))!;
        foreach (var property in metadata.EnumerateObject())
        {
            Assert.That(loaded.Metadata.GetProperty(property.Name).GetDouble(), Is.EqualTo(property.Value.GetDouble()), property.Name);
        }
    }
}
