using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace AgentMemory.Tests.TestSupport;

/// <summary>A chat client double: records every call and answers with a fixed reply (throws when the reply is null).</summary>
public sealed class ScriptedChatClient(string? reply) : IChatClient
{
    public ConcurrentQueue<(List<ChatMessage> Messages, ChatOptions? Options)> Calls { get; } = new();

    public string? Reply { get; set; } = reply;

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls.Enqueue(([.. messages], options));
        if (Reply is null)
        {
            throw new HttpRequestException("the model is unavailable");
        }

        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, Reply)));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Calls.Enqueue(([.. messages], options));
        if (Reply is null)
        {
            throw new HttpRequestException("the model is unavailable");
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
