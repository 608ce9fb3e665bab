namespace Microsoft.Extensions.DependencyInjection;

internal sealed class AgentMemoryBuilder(IServiceCollection services) : IAgentMemoryBuilder
{
    public IServiceCollection Services { get; } = services;
}
