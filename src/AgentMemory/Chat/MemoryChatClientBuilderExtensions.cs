using AgentMemory;
using AgentMemory.Chat;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Microsoft.Extensions.AI;

/// <summary>Adds agent memory to a chat client pipeline.</summary>
public static class MemoryChatClientBuilderExtensions
{
    /// <summary>
    /// Recalls the agent's memories for the last user message of each call and adds them as a system message (after
    /// the caller's own system messages), calls the inner client (streaming or not), then remembers the exchange as
    /// an episodic memory. The agent id comes from <see cref="MemoryChatClientOptions.AgentId"/> or, per call, from
    /// <c>ChatOptions.AdditionalProperties[</c><see cref="MemoryChatProperties.AgentId"/><c>]</c>; a call with neither
    /// passes through untouched. The memory system is taken from the pipeline's services.
    /// </summary>
    /// <param name="builder">The chat client pipeline.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseAgentMemory(this ChatClientBuilder builder, Action<MemoryChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var options = Configure(configure);
        return builder.Use((inner, services) => new MemoryChatClient(
            inner,
            services.GetService<IMemorySystem>() ?? throw new InvalidOperationException("UseAgentMemory needs IMemorySystem in the pipeline's services: call services.AddAgentMemory(), or pass the memory system to UseAgentMemory."),
            options,
            CreateLogger(services)));
    }

    /// <summary>As <see cref="UseAgentMemory(ChatClientBuilder, Action{MemoryChatClientOptions}?)"/>, with the given memory system.</summary>
    /// <param name="builder">The chat client pipeline.</param>
    /// <param name="memory">The memory system.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns>The builder.</returns>
    public static ChatClientBuilder UseAgentMemory(this ChatClientBuilder builder, IMemorySystem memory, Action<MemoryChatClientOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(memory);
        var options = Configure(configure);
        return builder.Use((inner, services) => new MemoryChatClient(inner, memory, options, CreateLogger(services)));
    }

    private static MemoryChatClientOptions Configure(Action<MemoryChatClientOptions>? configure)
    {
        var options = new MemoryChatClientOptions();
        configure?.Invoke(options);
        if (options.AgentId is not null)
        {
            AgentMemory.Validation.MemoryValidator.AgentId(options.AgentId);
        }

        if (options.MaxMemories is < 1 or > RecallRequest.MaxResultsLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(configure), options.MaxMemories, $"MaxMemories must be from 1 to {RecallRequest.MaxResultsLimit}.");
        }

        return options;
    }

    private static ILogger CreateLogger(IServiceProvider services) =>
        services.GetService<ILoggerFactory>()?.CreateLogger("AgentMemory.Chat.MemoryChatClient") ?? NullLogger.Instance;
}
