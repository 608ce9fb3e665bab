using AgentMemory.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace AgentMemory.Tests.TestSupport;

/// <summary>A service provider with AgentMemory registered, fake logging, and the store and options a test wants.</summary>
public sealed class MemoryTestHost : IAsyncDisposable
{
    private MemoryTestHost(ServiceProvider services)
    {
        Services = services;
        Memory = services.GetRequiredService<IMemorySystem>();
        Store = services.GetRequiredService<IMemoryStore>();
        Logs = services.GetRequiredService<FakeLogCollector>();
    }

    public ServiceProvider Services { get; }

    public IMemorySystem Memory { get; }

    public IMemoryStore Store { get; }

    public FakeLogCollector Logs { get; }

    public static MemoryTestHost Create(
        Action<AgentMemoryOptions>? configure = null,
        IMemoryStore? store = null,
        TimeProvider? time = null,
        Action<IServiceCollection>? services = null)
    {
        var collection = new ServiceCollection();
        collection.AddFakeLogging(o => o.OutputSink = null);
        collection.AddLogging(b => b.SetMinimumLevel(LogLevel.Debug));
        if (time is not null)
        {
            collection.AddSingleton(time);
        }

        var builder = collection.AddAgentMemory().Configure(o =>
        {
            o.Persistence.BatchInterval = TimeSpan.FromMilliseconds(5);
            o.Persistence.InitialRetryDelay = TimeSpan.FromMilliseconds(10);
            o.Persistence.MaxRetryDelay = TimeSpan.FromMilliseconds(50);
            o.Embeddings.RetryDelay = TimeSpan.FromMilliseconds(20);

            // Consolidation would change memories under tests of other features that advance a fake clock by days;
            // its own tests switch it back on.
            o.Consolidation.Enabled = false;
            configure?.Invoke(o);
        });
        builder.UseStore(store ?? new InMemoryMemoryStore());
        services?.Invoke(collection);
        return new MemoryTestHost(collection.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true }));
    }

    public IEnumerable<IHostedService> HostedServices => Services.GetServices<IHostedService>();

    public async Task StartAsync()
    {
        foreach (var service in HostedServices)
        {
            await service.StartAsync(CancellationToken.None);
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        foreach (var service in HostedServices.Reverse())
        {
            await service.StopAsync(cancellationToken);
        }
    }

    public ValueTask DisposeAsync() => Services.DisposeAsync();
}
