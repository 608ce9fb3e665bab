using AgentMemory.AgentFramework;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace AgentMemory;

/// <summary>Creates the Agent Framework context provider of a memory system.</summary>
public static class AgentMemoryContextProviderExtensions
{
    /// <summary>The context provider that gives an Agent Framework agent this memory (see <see cref="AgentMemoryContextProvider"/>).</summary>
    /// <param name="memory">The memory system.</param>
    /// <param name="agentId">The agent whose memory the runs use; by default the Agent Framework agent's name (or id).</param>
    /// <param name="loggerFactory">Where failures are logged.</param>
    /// <returns>The provider, to add to the agent's context providers.</returns>
    public static AgentMemoryContextProvider AsAIContextProvider(this IMemorySystem memory, string? agentId = null, ILoggerFactory? loggerFactory = null) =>
        new(memory, new AgentMemoryContextProviderOptions { AgentId = agentId }, loggerFactory);

    /// <summary>The context provider of the container's memory system, with its logging.</summary>
    /// <param name="services">The service provider where <c>AddAgentMemory()</c> registered the memory system.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The provider, to add to the agent's context providers.</returns>
    public static AgentMemoryContextProvider GetAgentMemoryContextProvider(this IServiceProvider services, Action<AgentMemoryContextProviderOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new AgentMemoryContextProviderOptions();
        configure?.Invoke(options);
        return new(services.GetRequiredService<IMemorySystem>(), options, services.GetService<ILoggerFactory>());
    }
}
