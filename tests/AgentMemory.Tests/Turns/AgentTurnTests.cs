using System.Text.Json;
using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;
using NUnit.Framework;

namespace AgentMemory.Tests.Turns;

public sealed class AgentTurnTests
{
    [Test]
    public async Task ATurnRecallsGivesAPromptSectionAndCompletingRemembersTheOutcome()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 5, 1, 9, 0, 0, TimeSpan.Zero));
        await using var host = MemoryTestHost.Create(time: time);
        var memory = host.Memory.ForAgent("a1");
        var fact = await memory.RememberAsync("Refunds above 500 EUR need approval from finance");

        await using var turn = await memory.BeginTurnAsync("Refund 800 EUR to customer 17", taskType: "refund", timeProvider: time);
        time.Advance(TimeSpan.FromSeconds(3));
        var outcome = await turn.CompleteAsync("Asked finance, then refunded", success: true, JsonDocument.Parse("""{"amount":800}""").RootElement);

        Assert.That(turn.Recalled.Single().Memory.Id, Is.EqualTo(fact.Id));
        Assert.That(turn.PromptSection, Is.EqualTo(
            "Relevant past experiences:\n" + MemoryPrompt.Notice + "\n<memory type=\"episodic\" date=\"2026-05-01\" source=\"api\">Refunds above 500 EUR need approval from finance</memory>\n"));
        Assert.That(outcome.Type, Is.EqualTo(MemoryType.Episodic));
        Assert.That(outcome.Content, Is.EqualTo("Task: Refund 800 EUR to customer 17\nOutcome: Asked finance, then refunded"));
        Assert.That(outcome.Tags, Is.EquivalentTo(new[] { "task", "success", "refund" }));
        Assert.That(outcome.Metadata.GetProperty("success").GetBoolean(), Is.True);
        Assert.That(outcome.Metadata.GetProperty("task_type").GetString(), Is.EqualTo("refund"));
        Assert.That(outcome.Metadata.GetProperty("duration_ms").GetDouble(), Is.EqualTo(3000));
        Assert.That(outcome.Metadata.GetProperty("amount").GetInt32(), Is.EqualTo(800));
        Assert.That((await memory.GetAsync(fact.Id))!.Utility, Is.GreaterThan(0), "the recalled memory learned from the success");
    }

    [Test]
    public async Task AFailureLowersTheUtilityOfOnlyTheMemoriesNamedAsUsed()
    {
        await using var host = MemoryTestHost.Create();
        var memory = host.Memory.ForAgent("a1");
        var followed = await memory.RememberAsync("Restart the export worker when exports hang");
        var other = await memory.RememberAsync("Exports hang when the disk is full");

        await using var turn = await memory.BeginTurnAsync("Exports hang again");
        Assert.That(turn.Recalled.Select(r => r.Memory.Id), Is.EquivalentTo(new[] { followed.Id, other.Id }));
        var outcome = await turn.CompleteAsync("Restarted the worker; still hanging", success: false, usedMemoryIds: [followed.Id]);

        Assert.That(outcome.Tags, Is.EquivalentTo(new[] { "task", "failure" }));
        Assert.That(outcome.Importance, Is.EqualTo(Importance.Medium), "an outcome's importance does not depend on how it went");
        Assert.That((await memory.GetAsync(followed.Id))!.Utility, Is.LessThan(0));
        Assert.That((await memory.GetAsync(other.Id))!.Utility, Is.Zero);
    }

    [Test]
    public async Task TheOutcomeIsCreditedAgainstTheMemoriesTheTaskRecalledFrom()
    {
        await using var host = MemoryTestHost.Create();
        var memory = host.Memory.ForAgent("a1");
        var followed = await memory.RememberAsync("Rotate the webhook secret when deliveries fail");
        await host.Memory.FlushAsync();

        await using (var turn = await memory.BeginTurnAsync("Webhook deliveries fail for the billing service"))
        {
            await turn.CompleteAsync("Rotated the secret; deliveries resumed", success: true, usedMemoryIds: [followed.Id]);
        }

        await host.Memory.FlushAsync();

        // The followed memory was the best word match when the task recalled: word match earns the full credit. (The
        // task's own outcome, remembered after, holds every word of the task and would have taken the best place.)
        var learning = (await host.Store.GetAgentAsync("a1"))!.Counters;
        Assert.That(learning["lexical.helped"], Is.EqualTo(1).Within(1e-3));
        Assert.That(learning.GetValueOrDefault("lexical.misled"), Is.Zero);
    }

    [Test]
    public async Task ARefusedOutcomeChangesNothingAndTheTurnCanBeCompletedAgain()
    {
        await using var host = MemoryTestHost.Create();
        var memory = host.Memory.ForAgent("a1");
        var followed = await memory.RememberAsync("Restart the export worker when exports hang");

        await using var turn = await memory.BeginTurnAsync("Exports hang again");
        var badOutcome = Assert.ThrowsAsync<ArgumentException>(async () => await turn.CompleteAsync("Restarted\0 the worker", success: false, usedMemoryIds: [followed.Id]));
        var badId = Assert.ThrowsAsync<ArgumentException>(async () => await turn.CompleteAsync("Restarted the worker", success: false, usedMemoryIds: [Guid.Empty]));

        Assert.That(badOutcome!.ParamName, Is.EqualTo("content"));
        Assert.That(badId!.ParamName, Is.EqualTo("usedMemoryIds"));
        Assert.That(turn.IsCompleted, Is.False);
        Assert.That((await memory.GetAsync(followed.Id))!.Utility, Is.Zero, "no outcome recorded");
        Assert.That((await memory.ListAsync()).Items, Has.Count.EqualTo(1), "no outcome remembered");

        await turn.CompleteAsync("Restarted the worker; still hanging", success: false, usedMemoryIds: [followed.Id]);
        Assert.That((await memory.GetAsync(followed.Id))!.Utility, Is.LessThan(0));
        Assert.That((await memory.ListAsync()).Items, Has.Count.EqualTo(2));
    }

    [Test]
    public async Task ATurnDisposedWithoutCompletingRecordsNothing()
    {
        await using var host = MemoryTestHost.Create();
        var memory = host.Memory.ForAgent("a1");
        var fact = await memory.RememberAsync("The VPN certificate expires in March");

        await using (var turn = await memory.BeginTurnAsync("Renew the VPN certificate"))
        {
            Assert.That(turn.Recalled, Has.Count.EqualTo(1));
        }

        Assert.That((await memory.ListAsync()).TotalCount, Is.EqualTo(1));
        Assert.That((await memory.GetAsync(fact.Id))!.Utility, Is.Zero);
    }

    [Test]
    public async Task BadUseGetsClearErrors()
    {
        await using var host = MemoryTestHost.Create();
        var memory = host.Memory.ForAgent("a1");

        var emptyTask = Assert.ThrowsAsync<ArgumentException>(async () => await memory.BeginTurnAsync("  "));
        Assert.That(emptyTask!.ParamName, Is.EqualTo("task"));

        await using var turn = await memory.BeginTurnAsync("Do something");
        var emptyOutcome = Assert.ThrowsAsync<ArgumentException>(async () => await turn.CompleteAsync("", success: true));
        Assert.That(emptyOutcome!.ParamName, Is.EqualTo("outcome"));
        await turn.CompleteAsync("Done", success: true);
        var twice = Assert.ThrowsAsync<InvalidOperationException>(async () => await turn.CompleteAsync("Again", success: true));
        Assert.That(twice!.Message, Does.Contain("already completed"));
    }

    [Test]
    public async Task ATurnOverAnAgentMemoryOfYourOwnRecordsTheOutcomeBeforeItRemembers()
    {
        await using var host = MemoryTestHost.Create();
        var own = new CallRecordingMemory(host.Memory.ForAgent("a1"));
        await own.RememberAsync("Refunds above 500 EUR need approval from finance");
        own.Calls.Clear();

        await using var turn = await own.BeginTurnAsync("Refund 800 EUR to customer 17");
        await turn.CompleteAsync("Asked finance, then refunded", success: true);

        Assert.That(own.Calls, Is.EqualTo(new[] { "recall", "record", "remember" }));
    }

    /// <summary>An agent memory of a user's own making: it forwards every call and notes its order.</summary>
    private sealed class CallRecordingMemory(IAgentMemory inner) : IAgentMemory
    {
        public List<string> Calls { get; } = [];

        public string AgentId => inner.AgentId;

        public ValueTask<MemoryEntry> RememberAsync(MemoryDraft memory, CancellationToken cancellationToken = default)
        {
            Calls.Add("remember");
            return inner.RememberAsync(memory, cancellationToken);
        }

        public ValueTask<IReadOnlyList<MemoryEntry>> RememberManyAsync(IEnumerable<MemoryDraft> memories, CancellationToken cancellationToken = default) => inner.RememberManyAsync(memories, cancellationToken);

        public ValueTask<MemoryEntry?> GetAsync(Guid memoryId, CancellationToken cancellationToken = default) => inner.GetAsync(memoryId, cancellationToken);

        public ValueTask<MemoryPage> ListAsync(MemoryQuery? query = null, CancellationToken cancellationToken = default) => inner.ListAsync(query, cancellationToken);

        public ValueTask<MemoryEntry> UpdateAsync(Guid memoryId, MemoryUpdate update, CancellationToken cancellationToken = default) => inner.UpdateAsync(memoryId, update, cancellationToken);

        public ValueTask<bool> ForgetAsync(Guid memoryId, CancellationToken cancellationToken = default) => inner.ForgetAsync(memoryId, cancellationToken);

        public ValueTask ForgetAllAsync(CancellationToken cancellationToken = default) => inner.ForgetAllAsync(cancellationToken);

        public ValueTask<IReadOnlyList<RecalledMemory>> RecallAsync(RecallRequest request, CancellationToken cancellationToken = default)
        {
            Calls.Add("recall");
            return inner.RecallAsync(request, cancellationToken);
        }

        public ValueTask<int> RecordOutcomeAsync(IEnumerable<Guid> usedMemoryIds, double reward, CancellationToken cancellationToken = default) =>
            RecordOutcomeAsync(usedMemoryIds, reward, null, cancellationToken);

        public ValueTask<int> RecordOutcomeAsync(IEnumerable<Guid> usedMemoryIds, double reward, string? task, CancellationToken cancellationToken = default)
        {
            Calls.Add("record");
            return inner.RecordOutcomeAsync(usedMemoryIds, reward, task, cancellationToken);
        }

        public ValueTask SetLearningEnabledAsync(bool enabled, CancellationToken cancellationToken = default) => inner.SetLearningEnabledAsync(enabled, cancellationToken);

        public ValueTask<int> ResetLearningAsync(CancellationToken cancellationToken = default) => inner.ResetLearningAsync(cancellationToken);

        public ValueTask<ConsolidationReport> ConsolidateAsync(CancellationToken cancellationToken = default) => inner.ConsolidateAsync(cancellationToken);

        public ValueTask<int> LoadAsync(CancellationToken cancellationToken = default) => inner.LoadAsync(cancellationToken);
    }
}
