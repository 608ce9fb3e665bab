namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures AgentMemory: returned by <c>AddAgentMemory()</c>; store choices are extension methods on it.</summary>
public interface IAgentMemoryBuilder
{
    /// <summary>The service collection AgentMemory is registered in.</summary>
    IServiceCollection Services { get; }
}
