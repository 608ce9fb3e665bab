using System.Text.Json;
using AgentMemory.Storage;
using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using NUnit.Framework;

namespace AgentMemory.Tests.Reliability;

/// <summary>
/// Thousands of seeded hostile inputs: each is either refused at the API with an ArgumentException naming the field,
/// or stored and read back identical, in process and from the store after a restart. The background writer never
/// rejects or stalls on any accepted input. One subclass per store.
/// </summary>
public abstract class HostileInputTests
{
    private const int Cases = 5000;

    private static readonly string[] Fields =
    [
        "agentId", "content", "tags", "metadata", "valence", "importance", "type", "id", "createdAt", "expiresAt", "memory",
    ];

    protected abstract Task<IMemoryStore> CreateStoreAsync();

    /// <summary>Checks the store's own integrity after the run (tables present, rows countable).</summary>
    protected virtual Task AssertStoreIntactAsync(IMemoryStore store, int expectedMemories) => Task.CompletedTask;

    [Test]
    public async Task EveryInputIsRefusedClearlyOrStoredAndReadBackIdentical()
    {
        var store = await CreateStoreAsync();
        var inputs = new NastyInputs(seed: 20261124);
        var accepted = new Dictionary<Guid, MemoryEntry>();
        var refused = new Dictionary<string, int>(StringComparer.Ordinal);
        await using (var host = MemoryTestHost.Create(store: store, services: s => s.AddMetrics()))
        {
            using var rejected = new MetricCollector<long>(host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "AgentMemory", "agentmemory.persistence.rejected");
            for (var i = 0; i < Cases; i++)
            {
                var agentId = inputs.AgentId(); // decides whether this case is hostile
                var draft = inputs.Draft();
                try
                {
                    var entry = await host.Memory.RememberAsync(agentId, draft);
                    accepted[entry.Id] = entry;
                }
                catch (ArgumentException ex)
                {
                    var field = Fields.FirstOrDefault(f => string.Equals(ex.ParamName, f, StringComparison.Ordinal))
                        ?? Fields.FirstOrDefault(f => ex.Message.Contains(f, StringComparison.Ordinal));
                    Assert.That(field, Is.Not.Null, $"case {i}: the error names no field: {ex.GetType().Name} {ex.ParamName}: {ex.Message}");
                    refused[field!] = refused.GetValueOrDefault(field!) + 1;
                }
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await host.Memory.FlushAsync(timeout.Token);
            Assert.That(rejected.GetMeasurementSnapshot().Sum(m => m.Value), Is.Zero, "the store refused nothing that the API accepted");
        }

        TestContext.Out.WriteLine($"{accepted.Count} accepted; refused: {string.Join(", ", refused.Select(r => $"{r.Key} {r.Value}"))}");
        Assert.That(accepted, Has.Count.GreaterThan(Cases / 5), "the generator produced enough valid inputs to mean something");
        Assert.That(refused.Keys, Is.SupersetOf(new[] { "agentId", "content", "valence", "importance", "type", "metadata" }));

        // Read back through a new host (what a restarted agent sees) and from the store itself (expired ones included).
        await using var restarted = MemoryTestHost.Create(store: store);
        var now = DateTimeOffset.UtcNow;
        foreach (var agent in accepted.Values.GroupBy(e => e.AgentId, StringComparer.Ordinal))
        {
            var stored = await store.LoadMemoriesAsync(agent.Key).ToDictionaryAsync(m => m.Id);
            foreach (var expected in agent)
            {
                Assert.That(stored.TryGetValue(expected.Id, out var actual), Is.True, $"memory {expected.Id} of '{expected.AgentId}' is in the store");
                AssertSameExceptEmbedding(actual!, expected);
                if (!expected.IsExpired(now))
                {
                    AssertSameExceptEmbedding((await restarted.Memory.GetAsync(expected.AgentId, expected.Id))!, expected);
                }
            }
        }

        await AssertStoreIntactAsync(store, accepted.Count);
    }

    /// <summary>
    /// The embedding is computed in the background after RememberAsync returned (arriving after the first write, it is
    /// written as the next version); everything else is as returned.
    /// </summary>
    private static void AssertSameExceptEmbedding(MemoryEntry actual, MemoryEntry expected)
    {
        Assert.That(actual, Is.Not.Null, $"memory {expected.Id} came back");
        var versions = actual.Embedding is null ? new[] { expected.Version } : [expected.Version, expected.Version + 1];
        Assert.That(versions, Does.Contain(actual.Version), $"memory {expected.Id}: version");
        MemoryEntries.AssertSame(actual, expected with { Embedding = actual.Embedding, EmbeddingModel = actual.EmbeddingModel, Version = actual.Version });
    }
}

public sealed class InMemoryHostileInputTests : HostileInputTests
{
    protected override Task<IMemoryStore> CreateStoreAsync() => Task.FromResult<IMemoryStore>(new AgentMemory.Storage.InMemoryMemoryStore());
}
