using AgentMemory.Coherence;
using AgentMemory;
using AgentMemory.Agents;
using AgentMemory.Consolidation;
using AgentMemory.Diagnostics;
using AgentMemory.Embeddings;
using AgentMemory.Internal;
using AgentMemory.Learning;
using AgentMemory.Persistence;
using AgentMemory.Recall;
using AgentMemory.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers AgentMemory in a service collection.</summary>
public static class AgentMemoryServiceCollectionExtensions
{
    /// <summary>
    /// Adds the memory system (<see cref="IMemorySystem"/>), its background writer and start-up work. Without a
    /// store choice the in-memory store is used (and a log line says so); call <c>UsePostgres(...)</c> from
    /// AgentMemory.PostgreSql to persist. Calling it again adds nothing twice.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns>A builder to choose the store and configure options.</returns>
    public static IAgentMemoryBuilder AddAgentMemory(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions();
        services.AddOptionsWithValidateOnStart<AgentMemoryOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentMemoryOptions>, AgentMemoryOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AgentMemoryOptions>, AgentMemoryOptionsTimeValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IMemoryStore, InMemoryMemoryStore>();
        services.TryAddSingleton<AgentMemoryInstruments>();
        services.TryAddSingleton<StoreInitializer>();
        services.TryAddSingleton<WriterIdentity>();
        services.TryAddSingleton(static sp =>
        {
            var persistence = sp.GetRequiredService<IOptions<AgentMemoryOptions>>().Value.Persistence;
            return new WriteQueue(persistence.QueueCapacity, persistence.QueueFullMode);
        });
        services.TryAddSingleton<PersistencePipeline>();
        services.TryAddSingleton<IEmbeddingSink, EmbeddingApplier>();
        services.TryAddSingleton<EmbeddingService>();
        services.TryAddSingleton<AgentCache>();
        services.TryAddSingleton<AgentMutator>();
        services.TryAddSingleton<RemoteChanges>();
        services.TryAddSingleton<ChangeFeed>();
        services.TryAddSingleton<QueryEmbedder>();
        services.TryAddSingleton<Recaller>();
        services.TryAddSingleton<OutcomeLearner>();
        services.TryAddSingleton<IConsolidationLock, InProcessConsolidationLock>();
        services.TryAddSingleton<Generalizer>();
        services.TryAddSingleton<Consolidator>();
        services.TryAddSingleton<MemorySystem>();
        services.TryAddSingleton<IMemorySystem>(static sp => sp.GetRequiredService<MemorySystem>());

        // Hosted services are registered once, however often AddAgentMemory is called.
        if (!services.Any(static d => d.ServiceType == typeof(AgentMemoryMarker)))
        {
            services.AddSingleton<AgentMemoryMarker>();
            services.AddSingleton<AgentMemoryStartup>();
            services.AddSingleton<IHostedService>(static sp => sp.GetRequiredService<AgentMemoryStartup>());
            services.AddSingleton<MemorySystemWorker>();
            services.AddSingleton<IHostedService>(static sp => sp.GetRequiredService<MemorySystemWorker>());
            services.AddSingleton<ConsolidationService>();
            services.AddSingleton<IHostedService>(static sp => sp.GetRequiredService<ConsolidationService>());
        }

        return new AgentMemoryBuilder(services);
    }

    /// <summary>
    /// Adds the memory system and lets <paramref name="build"/> choose the store and options in one expression:
    /// <c>services.AddAgentMemory(m => m.UsePostgres(connectionString))</c>.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="build">
    /// Chooses the store (<c>UsePostgres</c>, <c>UseInMemory</c>, <c>UseStore</c>) and options (<c>Configure</c>):
    /// <c>m => m.Configure(o => o.Persistence.Durability = Durability.WriteThrough)</c>.
    /// </param>
    /// <returns>The builder, to go on configuring.</returns>
    public static IAgentMemoryBuilder AddAgentMemory(this IServiceCollection services, Action<IAgentMemoryBuilder> build)
    {
        ArgumentNullException.ThrowIfNull(build);
        var builder = services.AddAgentMemory();
        build(builder);
        return builder;
    }

    /// <summary>Marks that AgentMemory's hosted services are registered.</summary>
    private sealed class AgentMemoryMarker;
}
