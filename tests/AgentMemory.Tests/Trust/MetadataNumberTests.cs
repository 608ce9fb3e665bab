using System.Text.Json;
using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Tests.Trust;

/// <summary>Numbers a store could not keep are refused at the door, and metadata is measured as it is stored.</summary>
public sealed class MetadataNumberTests
{
    [TestCase("""{"amount":1e200000}""")]
    [TestCase("""{"eps":1e-20000}""")]
    [TestCase("""{"n":1e130000}""")]
    [TestCase("""{"n":2e308}""")]
    [TestCase("""{"nested":{"list":[1,2,-1e309]}}""")]
    public async Task NumbersNoStoreCanKeepAreRefusedAndNothingIsRemembered(string json)
    {
        await using var host = MemoryTestHost.Create();

        var refused = Assert.CatchAsync<ArgumentException>(async () =>
            await host.Memory.RememberAsync("a1", new MemoryDraft("a memory with odd numbers") { Metadata = JsonDocument.Parse(json).RootElement }));

        Assert.That(refused!.ParamName, Is.EqualTo("metadata"));
        Assert.That((await host.Memory.ListAsync("a1")).TotalCount, Is.Zero);
    }

    [TestCase("""{"n":1e308}""")]
    [TestCase("""{"n":-1.7976931348623157E+308}""")]
    [TestCase("""{"n":1e-308,"m":12345678901234567890123}""")]
    public async Task NumbersWithinTheLimitsAreKept(string json)
    {
        await using var host = MemoryTestHost.Create();
        var metadata = JsonDocument.Parse(json).RootElement;

        var entry = await host.Memory.RememberAsync("a1", new MemoryDraft("a memory with large numbers") { Metadata = metadata });

        Assert.That(JsonElement.DeepEquals(entry.Metadata, metadata), Is.True);
    }

    [Test]
    public async Task MetadataIsMeasuredWithItsNumbersWrittenOut()
    {
        await using var host = MemoryTestHost.Create(o => o.MaxMetadataBytes = 1024);
        var small = """{"n":1e300}""";
        var large = "{" + string.Join(',', Enumerable.Range(0, 5).Select(i => $"\"n{i}\":1e300")) + "}";

        await host.Memory.RememberAsync("a1", new MemoryDraft("fits") { Metadata = JsonDocument.Parse(small).RootElement });
        var refused = Assert.CatchAsync<ArgumentException>(async () =>
            await host.Memory.RememberAsync("a1", new MemoryDraft("does not fit") { Metadata = JsonDocument.Parse(large).RootElement }));

        Assert.That(large.Length, Is.LessThan(1024), "as given it is small");
        Assert.That(refused!.ParamName, Is.EqualTo("metadata"));
    }
}
