using AgentMemory.Diagnostics;
using Microsoft.Extensions.Logging;

namespace AgentMemory.Storage;

/// <summary>Runs <see cref="IMemoryStore.InitializeAsync"/> once, shared by every caller; a failure is retried by the next call.</summary>
internal sealed class StoreInitializer(IMemoryStore store, ILoggerFactory? loggerFactory = null)
{
    private readonly ILogger _logger = Loggers.Create<StoreInitializer>(loggerFactory);
    private readonly Lock _gate = new();
    private Task? _initialization;

    public Task EnsureInitializedAsync(CancellationToken cancellationToken)
    {
        var current = Volatile.Read(ref _initialization);
        if (current is { IsCompletedSuccessfully: true })
        {
            return current;
        }

        lock (_gate)
        {
            if (_initialization is null || _initialization.IsFaulted || _initialization.IsCanceled)
            {
                _initialization = InitializeAsync();
            }

            return _initialization.WaitAsync(cancellationToken);
        }
    }

    private async Task InitializeAsync()
    {
        try
        {
            await store.InitializeAsync(CancellationToken.None).ConfigureAwait(false);
            Log.StoreInitialized(_logger, store.GetType().Name);
        }
        catch (Exception ex)
        {
            Log.StoreInitializationFailed(_logger, store.GetType().Name, ex);
            throw;
        }
    }
}
