using System.Runtime.CompilerServices;
using System.Text;
using AgentMemory.Validation;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;

namespace AgentMemory.Chat;

/// <summary>
/// A chat client that recalls the agent's memories for the last user message and hands them to the inner client as a
/// system message, then remembers the exchange. Memory trouble never fails the chat: a failed recall sends the
/// messages as they are, a failed remember is logged.
/// </summary>
internal sealed partial class MemoryChatClient(IChatClient inner, IMemorySystem memory, MemoryChatClientOptions options, ILogger logger) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, CancellationToken cancellationToken = default)
    {
        var call = await PrepareAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false);
        var response = await base.GetResponseAsync(call.Messages, chatOptions, cancellationToken).ConfigureAwait(false);
        await RememberAsync(call, response.Text, cancellationToken).ConfigureAwait(false);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var call = await PrepareAsync(messages, chatOptions, cancellationToken).ConfigureAwait(false);
        var reply = new StringBuilder();
        await foreach (var update in base.GetStreamingResponseAsync(call.Messages, chatOptions, cancellationToken).ConfigureAwait(false))
        {
            reply.Append(update.Text);
            yield return update;
        }

        // Only a reply streamed to its end is remembered.
        await RememberAsync(call, reply.ToString(), cancellationToken).ConfigureAwait(false);
    }

    private async Task<Call> PrepareAsync(IEnumerable<ChatMessage> messages, ChatOptions? chatOptions, CancellationToken cancellationToken)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        var agentId = AgentIdOf(chatOptions);
        var question = list.LastOrDefault(m => m.Role == ChatRole.User)?.Text;
        if (agentId is null || string.IsNullOrWhiteSpace(question))
        {
            return new Call(list, null, null);
        }

        try
        {
            var (recalled, prompt) = await TurnFlow.RecallAsync(memory.ForAgent(agentId), new RecallRequest(question) { MaxResults = options.MaxMemories }, cancellationToken).ConfigureAwait(false);
            if (recalled.Count == 0)
            {
                return new Call(list, agentId, question);
            }

            // After the caller's own system messages, so its instructions stay first.
            var augmented = new List<ChatMessage>(list.Count + 1);
            var at = 0;
            while (at < list.Count && list[at].Role == ChatRole.System)
            {
                augmented.Add(list[at++]);
            }

            augmented.Add(new ChatMessage(ChatRole.System, prompt));
            for (; at < list.Count; at++)
            {
                augmented.Add(list[at]);
            }

            return new Call(augmented, agentId, question);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            RecallFailed(logger, agentId, ex);
            return new Call(list, agentId, question);
        }
    }

    private async Task RememberAsync(Call call, string reply, CancellationToken cancellationToken)
    {
        if (!options.RememberExchanges || call.AgentId is null || call.Question is null)
        {
            return;
        }

        try
        {
            // A chat call has no outcome to learn from: the exchange is only remembered.
            var exchange = new MemoryDraft(MemoryPrompt.FormatExchange(call.Question, reply)) { Type = MemoryType.Episodic, Tags = options.ExchangeTags, Source = MemorySource.User };
            await TurnFlow.CompleteAsync(memory.ForAgent(call.AgentId), exchange, [], reward: null, call.Question, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            RememberFailed(logger, call.AgentId, ex);
        }
    }

    /// <summary>
    /// The agent whose memory a call uses: the call's <see cref="MemoryChatProperties.AgentId"/> or the configured one,
    /// within the call's scope (<see cref="MemoryChatClientOptions.Scope"/>): memories of one scope are never recalled
    /// in another. A per-call value that is not a string is an error, never silently the default agent.
    /// </summary>
    private string? AgentIdOf(ChatOptions? chatOptions)
    {
        var properties = chatOptions?.AdditionalProperties;
        if (properties is not null && properties.TryGetValue(MemoryChatProperties.Skip, out var skip) && skip is true)
        {
            return null;
        }

        var agentId = options.AgentId;
        if (properties is not null && properties.TryGetValue(MemoryChatProperties.AgentId, out var value) && value is not null)
        {
            agentId = value as string
                ?? throw new ArgumentException($"ChatOptions.AdditionalProperties[\"{MemoryChatProperties.AgentId}\"] must be a string; it is a {value.GetType().Name}.", nameof(chatOptions));
        }

        if (agentId is null)
        {
            return null;
        }

        if (options.Scope(chatOptions) is { } scope)
        {
            MemoryValidator.AgentId(scope);
            agentId = MemoryScope.AgentId(agentId, scope);
        }

        MemoryValidator.AgentId(agentId);
        return agentId;
    }

    [LoggerMessage(60, LogLevel.Warning, "Recalling memories of agent '{AgentId}' for a chat call failed; the call goes on without them.", EventName = "ChatRecallFailed")]
    private static partial void RecallFailed(ILogger logger, string agentId, Exception exception);

    [LoggerMessage(61, LogLevel.Warning, "Remembering a chat exchange of agent '{AgentId}' failed; the reply was returned.", EventName = "ChatRememberFailed")]
    private static partial void RememberFailed(ILogger logger, string agentId, Exception exception);

    private sealed record Call(IList<ChatMessage> Messages, string? AgentId, string? Question);
}
