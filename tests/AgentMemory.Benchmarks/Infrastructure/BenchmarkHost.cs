using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace AgentMemory.Benchmarks.Infrastructure;

/// <summary>A started AgentMemory service provider (hosted services running); stops and disposes them on dispose.</summary>
internal sealed class BenchmarkHost : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly List<IHostedService> _hosted;
    private bool _stopped;

    private BenchmarkHost(ServiceProvider provider)
    {
        _provider = provider;
        _hosted = [.. provider.GetServices<IHostedService>()];
        Memory = provider.GetRequiredService<IMemorySystem>();
    }

    public IMemorySystem Memory { get; }

    public IServiceProvider Services => _provider;

    public static async Task<BenchmarkHost> StartAsync(Action<IServiceCollection> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        configure(services);
        var host = new BenchmarkHost(services.BuildServiceProvider());
        foreach (var service in host._hosted)
        {
            await service.StartAsync(CancellationToken.None);
        }

        return host;
    }

    /// <summary>Stops the hosted services (the background consolidation, then the writer, which drains); the memory system still answers reads.</summary>
    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        foreach (var service in Enumerable.Reverse(_hosted))
        {
            await service.StopAsync(CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _provider.DisposeAsync();
    }
}
