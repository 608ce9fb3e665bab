using System.Globalization;
using System.Text;
using System.Text.Json;

namespace AgentMemory;

/// <summary>
/// One task an agent works on, with the memories recalled for it. Hand <see cref="PromptSection"/> to the model;
/// when the task is done, <see cref="CompleteAsync"/> remembers what happened and feeds the outcome back to the
/// recalled memories. A turn disposed without completing records nothing.
/// </summary>
public sealed class AgentTurn : IAsyncDisposable
{
    private readonly IAgentMemory _memory;
    private readonly TimeProvider _time;
    private readonly long _started;
    private int _completed;

    internal AgentTurn(IAgentMemory memory, string task, string? taskType, IReadOnlyList<RecalledMemory> recalled, string promptSection, TimeProvider time)
    {
        _memory = memory;
        _time = time;
        _started = time.GetTimestamp();
        Task = task;
        TaskType = taskType;
        Recalled = recalled;
        PromptSection = promptSection;
    }

    /// <summary>The task of this turn.</summary>
    public string Task { get; }

    /// <summary>An optional kind of task, stored with the outcome (for example <c>"refund"</c>).</summary>
    public string? TaskType { get; }

    /// <summary>The memories recalled for the task, best first, with their score breakdown.</summary>
    public IReadOnlyList<RecalledMemory> Recalled { get; }

    /// <summary>A ready prompt section: "Relevant past experiences:" and one line per recalled memory (empty when none).</summary>
    public string PromptSection { get; }

    /// <summary>Whether <see cref="CompleteAsync"/> ran.</summary>
    public bool IsCompleted => Volatile.Read(ref _completed) == 1;

    /// <summary>
    /// Remembers the task and its outcome as an episodic memory of medium importance (task type, success and duration
    /// in metadata, tagged <c>task</c> and <c>success</c> or <c>failure</c>), then records the outcome (reward 1 or -1)
    /// for the recalled memories. An outcome or details the memory system refuses change nothing, and the turn can be
    /// completed again. A failure is not made more important than a success: importance would rank every
    /// failure of any task above the outcomes of the task at hand, and consolidation would promote each one; how the
    /// task went is in the tags, the metadata and the used memories' utility.
    /// </summary>
    /// <param name="outcome">What happened, in a sentence or two.</param>
    /// <param name="success">Whether the task succeeded.</param>
    /// <param name="details">Optional extra metadata (a JSON object) stored with the outcome.</param>
    /// <param name="usedMemoryIds">
    /// The recalled memories the agent actually followed, when it knows; they alone get the outcome. Default: all
    /// recalled memories.
    /// </param>
    /// <param name="cancellationToken">Cancels waiting for queue room.</param>
    /// <returns>The remembered outcome.</returns>
    /// <exception cref="InvalidOperationException">The turn was already completed.</exception>
    public async ValueTask<MemoryEntry> CompleteAsync(
        string outcome,
        bool success,
        JsonElement? details = null,
        IEnumerable<Guid>? usedMemoryIds = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outcome);
        var used = usedMemoryIds?.ToList() ?? [.. Recalled.Select(static r => r.Memory.Id)];
        foreach (var id in used)
        {
            Validation.MemoryValidator.MemoryId(id, nameof(usedMemoryIds));
        }

        if (Interlocked.Exchange(ref _completed, 1) == 1)
        {
            throw new InvalidOperationException("This turn was already completed.");
        }

        var reward = success ? 1.0 : -1.0;
        var draft = new MemoryDraft($"Task: {Task}\nOutcome: {outcome}")
        {
            Type = MemoryType.Episodic,
            Importance = Importance.Medium,
            Tags = TaskType is null ? ["task", success ? "success" : "failure"] : ["task", success ? "success" : "failure", TaskType],
            Metadata = BuildMetadata(TaskType, success, _time.GetElapsedTime(_started).TotalMilliseconds, details),
        };

        try
        {
            // The outcome recorded against the memories the task recalled from, then the outcome remembered.
            return (await TurnFlow.CompleteAsync(_memory, draft, used, reward, Task, cancellationToken).ConfigureAwait(false))!;
        }
        catch (ArgumentException)
        {
            // The outcome was refused before anything changed: the turn can be completed again.
            Volatile.Write(ref _completed, 0);
            throw;
        }
    }

    /// <summary>Ends the turn; an incomplete turn records no outcome.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static JsonElement BuildMetadata(string? taskType, bool success, double durationMs, JsonElement? details)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (taskType is null)
            {
                writer.WriteNull("task_type");
            }
            else
            {
                writer.WriteString("task_type", taskType);
            }

            writer.WriteBoolean("success", success);
            writer.WriteNumber("duration_ms", Math.Round(durationMs, 1));
            if (details is { ValueKind: JsonValueKind.Object } extra)
            {
                foreach (var property in extra.EnumerateObject())
                {
                    if (property.Name is not ("task_type" or "success" or "duration_ms"))
                    {
                        property.WriteTo(writer);
                    }
                }
            }

            writer.WriteEndObject();
        }

        using var document = JsonDocument.Parse(buffer.WrittenMemory);
        return document.RootElement.Clone();
    }
}
