using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace AgentMemory.Tests.Hosting;

public sealed class GenericHostTests
{
    [Test]
    public async Task AHostBuiltWithCreateApplicationBuilderRemembersAndRecalls()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddFakeLogging();
        builder.Services.AddAgentMemory();
        using var host = builder.Build();
        await host.StartAsync();

        var memory = host.Services.GetRequiredService<IMemorySystem>().ForAgent("support-bot");
        await memory.RememberAsync(new MemoryDraft("Customer 42 prefers email over phone") { Importance = Importance.High, Tags = ["preferences"] });
        var recalled = await memory.RecallAsync("how should I contact customer 42?");
        await host.StopAsync();

        Assert.That(recalled.Single().Memory.Content, Is.EqualTo("Customer 42 prefers email over phone"));
        var logs = host.Services.GetRequiredService<FakeLogCollector>().GetSnapshot();
        Assert.That(logs.Any(l => l.Id.Name == "UsingInMemoryStore"), Is.True, "without a Use… call the in-memory store is used and said so");
        Assert.That(host.Services.GetServices<IHostedService>().Count(s => s.GetType().Namespace!.StartsWith("AgentMemory", StringComparison.Ordinal)), Is.EqualTo(3));
    }

    [Test]
    public async Task AServiceCollectionWithoutLoggingStillWorks()
    {
        // Not every host registers logging (a console tool, a test): logging is optional throughout.
        var services = new ServiceCollection();
        services.AddAgentMemory();
        await using var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var service in hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        var memory = provider.GetRequiredService<IMemorySystem>().ForAgent("support-bot");
        await memory.RememberAsync(new MemoryDraft("Customer 42 prefers email over phone"));
        var recalled = await memory.RecallAsync("how should I contact customer 42?");
        foreach (var service in hosted)
        {
            await service.StopAsync(CancellationToken.None);
        }

        Assert.That(hosted, Has.Count.EqualTo(3));
        Assert.That(recalled.Single().Memory.Content, Is.EqualTo("Customer 42 prefers email over phone"));
    }

    [Test]
    public void InvalidOptionsFailTheHostAtStart()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddAgentMemory().Configure(o => o.MaxContentBytes = 0);
        using var host = builder.Build();

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.That(error!.Message, Does.Contain("MaxContentBytes"));
    }

    [Test]
    public void AddingAgentMemoryTwiceRegistersItsServicesOnce()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAgentMemory();
        services.AddAgentMemory().UseInMemory();
        using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetServices<IHostedService>().Count(), Is.EqualTo(3));
        Assert.That(provider.GetServices<IMemorySystem>().Count(), Is.EqualTo(1));
    }

    [Test]
    public async Task TheOneExpressionFormChoosesTheStoreAndOptions()
    {
        var store = new AgentMemory.Storage.InMemoryMemoryStore();
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAgentMemory(m => m.UseStore(store).Configure(o => o.MaxContentBytes = 64));
        await using var provider = services.BuildServiceProvider();
        var memory = provider.GetRequiredService<IMemorySystem>();

        Assert.That(async () => await memory.RememberAsync("a1", new string('x', 65)), Throws.ArgumentException.With.Message.Contains("64"));
        await memory.RememberAsync("a1", "short enough");
        await memory.FlushAsync();
        Assert.That(await store.LoadMemoriesAsync("a1").CountAsync(), Is.EqualTo(1), "the chosen store got the memory");
    }

    [Test]
    public async Task AnEmptyBuilderLambdaCompilesAndRegistersTheDefaults()
    {
        // With an options overload beside the builder one, this line did not compile (the lambda was ambiguous).
        var services = new ServiceCollection();
        services.AddAgentMemory(m => { });
        await using var provider = services.BuildServiceProvider();

        Assert.That(provider.GetRequiredService<IMemoryStore>(), Is.TypeOf<InMemoryMemoryStore>());
        var memory = provider.GetRequiredService<IMemorySystem>();
        await memory.RememberAsync("a1", "works with the defaults");
        Assert.That(await memory.LoadAgentAsync("a1"), Is.EqualTo(1));
    }
}
