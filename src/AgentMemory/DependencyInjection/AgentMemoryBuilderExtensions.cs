using AgentMemory;
using AgentMemory.Storage;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Store choices and configuration on <see cref="IAgentMemoryBuilder"/>.</summary>
public static class AgentMemoryBuilderExtensions
{
    /// <summary>Keeps memories in process memory only (the default): nothing survives a restart.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IAgentMemoryBuilder UseInMemory(this IAgentMemoryBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IMemoryStore, InMemoryMemoryStore>());
        return builder;
    }

    /// <summary>Uses a store of your own (it should pass the store contract tests).</summary>
    /// <typeparam name="TStore">The store type, registered as a singleton.</typeparam>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IAgentMemoryBuilder UseStore<[System.Diagnostics.CodeAnalysis.DynamicallyAccessedMembers(System.Diagnostics.CodeAnalysis.DynamicallyAccessedMemberTypes.PublicConstructors)] TStore>(this IAgentMemoryBuilder builder)
        where TStore : class, IMemoryStore
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.Replace(ServiceDescriptor.Singleton<IMemoryStore, TStore>());
        return builder;
    }

    /// <summary>Uses a store instance of your own.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="store">The store.</param>
    /// <returns>The builder.</returns>
    public static IAgentMemoryBuilder UseStore(this IAgentMemoryBuilder builder, IMemoryStore store)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(store);
        builder.Services.Replace(ServiceDescriptor.Singleton(store));
        return builder;
    }

    /// <summary>Configures options.</summary>
    /// <param name="builder">The builder.</param>
    /// <param name="configure">Sets options.</param>
    /// <returns>The builder.</returns>
    public static IAgentMemoryBuilder Configure(this IAgentMemoryBuilder builder, Action<AgentMemoryOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }
}
