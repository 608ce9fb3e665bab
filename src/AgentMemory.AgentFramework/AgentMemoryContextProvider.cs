using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace AgentMemory.AgentFramework;

/// <summary>
/// Gives a Microsoft Agent Framework agent this library's memory: before each run it recalls the memories most
/// relevant to the run's input and adds them as instructions; after the run it remembers the input and the reply as an
/// episodic memory and records the run's outcome (a run that threw is a failure, unless it failed because a service
/// was down: see <see cref="AgentMemoryContextProviderOptions.IsServiceFailure"/>) for the memories it recalled. Memory
/// trouble is logged and never fails the run.
/// </summary>
public sealed partial class AgentMemoryContextProvider : AIContextProvider
{
    private readonly IMemorySystem _memory;
    private readonly AgentMemoryContextProviderOptions _options;
    private readonly ILogger _logger;

    // What each run recalled, until the run ends (keyed by the session, or by the agent for runs without one).
    private readonly ConditionalWeakTable<object, Recall> _recalled = [];

    /// <summary>Creates the provider.</summary>
    /// <param name="memory">The memory system (from <c>services.AddAgentMemory()</c>).</param>
    /// <param name="options">The options; defaults when <see langword="null"/>.</param>
    /// <param name="loggerFactory">Where failures are logged.</param>
    public AgentMemoryContextProvider(IMemorySystem memory, AgentMemoryContextProviderOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        ArgumentNullException.ThrowIfNull(memory);
        _memory = memory;
        _options = options ?? new AgentMemoryContextProviderOptions();
        if (_options.MaxMemories is < 1 or > RecallRequest.MaxResultsLimit)
        {
            throw new ArgumentOutOfRangeException(nameof(options), _options.MaxMemories, $"MaxMemories must be from 1 to {RecallRequest.MaxResultsLimit}.");
        }

        if (_options.AgentId is { } agentId)
        {
            _ = memory.ForAgent(agentId);
        }

        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<AgentMemoryContextProvider>();
    }

    /// <inheritdoc />
    protected override async ValueTask<AIContext> ProvideAIContextAsync(InvokingContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var agentId = AgentIdOf(context.Agent, context.Session);
        var input = InputText(context.AIContext.Messages ?? []);
        if (input.Length == 0)
        {
            return new AIContext();
        }

        try
        {
            var (recalled, prompt) = await TurnFlow.RecallAsync(_memory.ForAgent(agentId), new RecallRequest(input) { MaxResults = _options.MaxMemories }, cancellationToken).ConfigureAwait(false);
            _recalled.AddOrUpdate(KeyOf(context.Agent, context.Session), new Recall([.. recalled.Select(r => r.Memory.Id)]));
            return recalled.Count == 0 ? new AIContext() : new AIContext { Instructions = prompt };
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            RecallFailed(_logger, agentId, ex);
            return new AIContext();
        }
    }

    /// <inheritdoc />
    protected override async ValueTask InvokedCoreAsync(InvokedContext context, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var agentId = AgentIdOf(context.Agent, context.Session);
        var key = KeyOf(context.Agent, context.Session);
        var used = _recalled.TryGetValue(key, out var recall) ? recall.Ids : [];
        _recalled.Remove(key);
        var success = context.InvokeException is null;
        if (context.InvokeException is { } failure && _options.IsServiceFailure(failure))
        {
            // The model or the network failed, not the task: nothing to learn, nothing to remember.
            RunNotLearnedFrom(_logger, agentId, failure.GetType().Name);
            return;
        }

        try
        {
            var input = InputText(context.RequestMessages.Where(m => m.GetAgentRequestMessageSourceType() == AgentRequestMessageSourceType.External));

            MemoryDraft? run = null;
            if (_options.RememberRuns && input.Length > 0)
            {
                var reply = success
                    ? string.Join('\n', (context.ResponseMessages ?? []).Where(m => m.Role == ChatRole.Assistant && !string.IsNullOrWhiteSpace(m.Text)).Select(m => m.Text.Trim()))
                    : $"(the run failed: {context.InvokeException!.GetType().Name})";
                run = new MemoryDraft(MemoryPrompt.FormatExchange(input, reply))
                {
                    Tags = ["agent-run", success ? "success" : "failure"],
                    Source = MemorySource.User,
                    Metadata = JsonSerializer.SerializeToElement(new RunMetadata(success), RunMetadataContext.Default.RunMetadata),
                };
            }

            // The outcome is recorded first, while the agent's memories are those the run recalled from, then the run
            // is remembered.
            await TurnFlow.CompleteAsync(
                _memory.ForAgent(agentId),
                run,
                used,
                _options.RecordOutcomes ? (success ? 1.0 : -1.0) : null,
                input.Length > 0 ? input : null,
                cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            RememberFailed(_logger, agentId, ex);
        }
    }

    /// <summary>The agent id of a run's memory: the configured one or the agent's, within the run's scope.</summary>
    private string AgentIdOf(AIAgent agent, AgentSession? session)
    {
        var agentId = _options.AgentId ?? (string.IsNullOrWhiteSpace(agent.Name) ? agent.Id : agent.Name);
        return MemoryScope.AgentId(agentId, _options.Scope?.Invoke(agent, session));
    }

    private static object KeyOf(AIAgent agent, AgentSession? session) => (object?)session ?? agent;

    private static string InputText(IEnumerable<ChatMessage> messages) =>
        string.Join('\n', messages.Where(m => m.Role == ChatRole.User && !string.IsNullOrWhiteSpace(m.Text)).Select(m => m.Text.Trim()));

    [LoggerMessage(70, LogLevel.Warning, "Recalling memories of agent '{AgentId}' before a run failed; the run goes on without them.", EventName = "AgentRunRecallFailed")]
    private static partial void RecallFailed(ILogger logger, string agentId, Exception exception);

    [LoggerMessage(72, LogLevel.Information, "A run of agent '{AgentId}' failed for a reason outside its task ({Exception}); it is not learned from or remembered.", EventName = "AgentRunNotLearnedFrom")]
    private static partial void RunNotLearnedFrom(ILogger logger, string agentId, string exception);

    [LoggerMessage(71, LogLevel.Warning, "Remembering a run of agent '{AgentId}' failed.", EventName = "AgentRunRememberFailed")]
    private static partial void RememberFailed(ILogger logger, string agentId, Exception exception);

    private sealed record Recall(IReadOnlyList<Guid> Ids);
}
