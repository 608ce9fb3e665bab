using AgentMemory.Diagnostics;
using AgentMemory.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMemory.Internal;

/// <summary>
/// Start-up work: says when the in-memory store is in use, initializes (migrates) the store, and preloads the
/// configured agents. A store that is down at start is logged and tried again on first use, so a host does not fail
/// to start because its database is briefly unavailable.
/// </summary>
internal sealed class AgentMemoryStartup(
    IMemoryStore store,
    StoreInitializer initializer,
    IMemorySystem memory,
    IOptions<AgentMemoryOptions> options,
    ILoggerFactory? loggerFactory = null) : IHostedService
{
    private readonly ILogger _logger = Loggers.Create<AgentMemoryStartup>(loggerFactory);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (store is InMemoryMemoryStore)
        {
            Log.UsingInMemoryStore(_logger);
        }

        try
        {
            await initializer.EnsureInitializedAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Logged by the initializer; retried on first use.
            return;
        }

        foreach (var agentId in options.Value.PreloadAgents)
        {
            try
            {
                await memory.LoadAgentAsync(agentId, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.PreloadFailed(_logger, agentId, ex);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
