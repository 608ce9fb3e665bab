using AgentMemory.AgentFramework;
using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace AgentMemory.Tests.Validation;

/// <summary>Bad input to the outcome, consolidation and Agent Framework entry points gets a clear error and changes nothing.</summary>
public sealed class OutcomeAndConsolidationValidationTests
{
    [Test]
    public async Task AnOutcomeWithAnUnstorableTaskIsRefusedNamingTheTaskAndChangesNothing()
    {
        await using var host = MemoryTestHost.Create();
        var memory = host.Memory.ForAgent("a1");
        var used = await memory.RememberAsync("restart the export worker");

        Assert.That(async () => await memory.RecordOutcomeAsync([used.Id], -1, "exports\0hang"), Throws.ArgumentException.With.Property("ParamName").EqualTo("task"));
        Assert.That((await memory.GetAsync(used.Id))!.Utility, Is.Zero);
    }

    [Test]
    public void ConsolidatingABadAgentIdIsRefused()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddAgentMemory();
        using var provider = services.BuildServiceProvider();
        var memory = provider.GetRequiredService<IMemorySystem>();

        Assert.That(async () => await memory.ConsolidateAsync(" "), Throws.ArgumentException.With.Property("ParamName").EqualTo("agentId"));
    }

    [TestCase(nameof(ConsolidationOptions.Interval))]
    [TestCase(nameof(ConsolidationOptions.PromotionImportance))]
    [TestCase(nameof(ConsolidationOptions.DuplicateSimilarity))]
    [TestCase(nameof(PersistenceOptions.BatchSize))]
    [TestCase(nameof(PersistenceOptions.MaxBatchSize))]
    [TestCase(nameof(EmbeddingOptions.MaxConcurrentCalls))]
    [TestCase(nameof(ChangeFeedOptions.PollInterval))]
    [TestCase(nameof(ChangeFeedOptions.TombstoneRetention))]
    public void BadConsolidationAndBatchOptionsFailTheHostAtStartNamingTheOption(string option)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAgentMemory().Configure(o =>
        {
            switch (option)
            {
                case nameof(ConsolidationOptions.Interval): o.Consolidation.Interval = TimeSpan.Zero; break;
                case nameof(ConsolidationOptions.PromotionImportance): o.Consolidation.PromotionImportance = (Importance)9; break;
                case nameof(PersistenceOptions.BatchSize): o.Persistence.BatchSize = 0; break;
                case nameof(PersistenceOptions.MaxBatchSize): o.Persistence.MaxBatchSize = 0; break;
                case nameof(EmbeddingOptions.MaxConcurrentCalls): o.Embeddings.MaxConcurrentCalls = 0; break;
                case nameof(ChangeFeedOptions.PollInterval): o.ChangeFeed.PollInterval = TimeSpan.Zero; break;
                case nameof(ChangeFeedOptions.TombstoneRetention): o.ChangeFeed.TombstoneRetention = TimeSpan.FromSeconds(1); break;
                default: o.Consolidation.DuplicateSimilarity = 2; break;
            }
        });
        using var host = builder.Build();

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.That(error!.Message, Does.Contain(option));
    }

    [Test]
    public async Task TheAgentFrameworkProviderRefusesBadOptions()
    {
        await using var host = MemoryTestHost.Create();
        Assert.That(() => new AgentMemoryContextProvider(host.Memory, new AgentMemoryContextProviderOptions { MaxMemories = 0 }), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("MaxMemories"));
        Assert.That(() => host.Memory.AsAIContextProvider("bad\0id"), Throws.ArgumentException.With.Property("ParamName").EqualTo("agentId"));
    }
}
