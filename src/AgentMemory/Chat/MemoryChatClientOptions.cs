using Microsoft.Extensions.AI;

namespace AgentMemory;

/// <summary>Options of the memory chat middleware (<c>ChatClientBuilder.UseAgentMemory</c>).</summary>
public sealed class MemoryChatClientOptions
{
    /// <summary>
    /// The agent whose memory the calls use, unless a call names one in <c>ChatOptions.AdditionalProperties</c>
    /// under <see cref="MemoryChatProperties.AgentId"/>. A call with neither passes through untouched.
    /// </summary>
    public string? AgentId { get; set; }

    /// <summary>How many memories are recalled for the last user message; 5 by default.</summary>
    public int MaxMemories { get; set; } = 5;

    /// <summary>Whether each exchange (the last user message and the reply) is remembered as an episodic memory; true by default.</summary>
    public bool RememberExchanges { get; set; } = true;

    /// <summary>
    /// Which memory within the agent a call uses: a user, a conversation, a tenant. Calls of different scopes never
    /// see each other's memories (each scope is the agent id followed by "/" and the scope). By default the call's
    /// <c>ChatOptions.AdditionalProperties[</c><see cref="MemoryChatProperties.Scope"/><c>]</c> (a string), or no
    /// scope. Set it to scope by something else, for example <c>o => o?.ConversationId</c>.
    /// </summary>
    public Func<ChatOptions?, string?> Scope { get; set; } = ScopeFromProperties;

    /// <summary>Tags given to remembered exchanges; "chat" by default.</summary>
    public IList<string> ExchangeTags { get; } = ["chat"];

    /// <summary>The default <see cref="Scope"/>: the call's <see cref="MemoryChatProperties.Scope"/> property.</summary>
    /// <param name="options">The call's options.</param>
    /// <returns>The scope, or <see langword="null"/> for none.</returns>
    /// <exception cref="ArgumentException">The property is set to something other than a string.</exception>
    public static string? ScopeFromProperties(ChatOptions? options)
    {
        if (options?.AdditionalProperties is not { } properties || !properties.TryGetValue(MemoryChatProperties.Scope, out var value) || value is null)
        {
            return null;
        }

        return value as string
            ?? throw new ArgumentException($"ChatOptions.AdditionalProperties[\"{MemoryChatProperties.Scope}\"] must be a string; it is a {value.GetType().Name}.", nameof(options));
    }
}
