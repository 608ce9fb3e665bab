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
        Assert.That(turn.PromptSection, Is.EqualTo("Relevant past experiences:\n- (episodic, 2026-05-01) Refunds above 500 EUR need approval from finance\n"));
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
        var learning = (await host.Store.GetAgentAsync("a1"))!.Settings.GetProperty("learning");
        Assert.That(learning.GetProperty("lexical")[0].GetDouble(), Is.EqualTo(1).Within(1e-3));
        Assert.That(learning.GetProperty("lexical")[1].GetDouble(), Is.Zero);
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
}
