using AgentMemory.Diagnostics;
using AgentMemory.Validation;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace AgentMemory.Consolidation;

/// <summary>
/// Writes the one-sentence generalization of a cluster of episodic memories with the host's <see cref="IChatClient"/>,
/// when it registered one; the caller keeps the extractive text when this returns <see langword="null"/>.
/// </summary>
internal sealed class Generalizer(IServiceProvider services, IOptions<AgentMemoryOptions> options, ILoggerFactory? loggerFactory = null)
{
    private readonly ILogger _logger = Loggers.Create<Generalizer>(loggerFactory);

    /// <summary>The instructions given to the chat client; the only prompt of the library.</summary>
    public const string Instructions =
        "You consolidate the long-term memory of an AI agent. The user message lists related experiences of the agent, one per line. " +
        "Reply with exactly one sentence that states the general fact or lesson they share, in the language of the experiences. " +
        "Reply with the sentence only: no preamble, no list, no quotes.";

    private const int MaxSentenceLength = 500;

    /// <summary>
    /// Resolved on first use, not at construction: a chat client wrapped by the memory middleware depends on the
    /// memory system itself.
    /// </summary>
    private IChatClient? Client => options.Value.Consolidation.UseChatClient ? services.GetService<IChatClient>() : null;

    public bool IsAvailable => Client is not null;

    public async Task<string?> GeneralizeAsync(IReadOnlyList<string> experiences, CancellationToken cancellationToken)
    {
        var client = Client;
        if (client is null)
        {
            return null;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Consolidation.ChatClientTimeout);
        try
        {
            var chatOptions = new ChatOptions { AdditionalProperties = new() { [MemoryChatProperties.Skip] = true } };
            var response = await client.GetResponseAsync(
                [new ChatMessage(ChatRole.System, Instructions), new ChatMessage(ChatRole.User, string.Join('\n', experiences.Select(e => "- " + e.ReplaceLineEndings(" "))))],
                chatOptions,
                timeout.Token).ConfigureAwait(false);
            var sentence = Validate(response.Text);
            if (sentence is null)
            {
                Log.GeneralizationRejected(_logger, "the reply was empty, longer than one line or " + MaxSentenceLength + " characters, or held control characters");
            }

            return sentence;
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
        {
            Log.GeneralizationFailed(_logger, ex);
            return null;
        }
    }

    /// <summary>The reply as a sentence, or <see langword="null"/> when it is not one.</summary>
    internal static string? Validate(string? reply)
    {
        var text = reply?.Trim().Trim('"', '\'', '“', '”').Trim();
        if (string.IsNullOrEmpty(text) || text.Length > MaxSentenceLength || text.Contains('\n', StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            TextRules.CheckCharacters(text, "generalization", allowControl: false);
        }
        catch (ArgumentException)
        {
            return null;
        }

        return text;
    }
}
