using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AgentMemory.Tests.TestSupport;

/// <summary>A chat client double: records every call and answers with a fixed reply (throws when the reply is null).</summary>
public sealed class ScriptedChatClient(string? reply) : IChatClient
{
    public ConcurrentQueue<(List<ChatMessage> Messages, ChatOptions? Options)> Calls { get; } = new();

    public string? Reply { get; set; } = reply;

    /// <summary>What a call throws when there is no reply; the model provider being unavailable by default.</summary>
    public Func<Exception> Failure { get; set; } = static () => new HttpRequestException("the model is unavailable");

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue(([.. messages], options));
        if (Reply is null)
        {
            throw Failure();
        }

        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, Reply)));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Calls.Enqueue(([.. messages], options));
        if (Reply is null)
        {
            throw Failure();
        }

        foreach (var word in Reply.Split(' '))
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, word + " ");
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
