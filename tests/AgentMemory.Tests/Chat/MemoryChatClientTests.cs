using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.AI;
using NUnit.Framework;

namespace AgentMemory.Tests.Chat;

public sealed class MemoryChatClientTests
{
    [Test]
    public async Task ACallGetsTheRecalledMemoriesAsASystemMessageAndTheExchangeIsRemembered()
    {
        await using var host = MemoryTestHost.Create();
        await host.Memory.RememberAsync("a1", "The user's dog is called Rex");
        var inner = new ScriptedChatClient("Rex is a fine name.");
        using var client = new ChatClientBuilder(inner).UseAgentMemory(o => o.AgentId = "a1").Build(host.Services);

        var response = await client.GetResponseAsync([new ChatMessage(ChatRole.System, "You are helpful."), new ChatMessage(ChatRole.User, "What is my dog called?")]);

        Assert.That(response.Text, Is.EqualTo("Rex is a fine name."));
        var sent = inner.Calls.Single().Messages;
        Assert.That(sent.Select(m => m.Role), Is.EqualTo(new[] { ChatRole.System, ChatRole.System, ChatRole.User }));
        Assert.That(sent[0].Text, Is.EqualTo("You are helpful."));
        Assert.That(sent[1].Text, Does.StartWith("Relevant past experiences:\n" + MemoryPrompt.Notice + "\n<memory type=\"episodic\" date=\"").And.EndWith("\">The user's dog is called Rex</memory>\n"));
        var exchange = (await host.Memory.ListAsync("a1", new MemoryQuery { Tags = ["chat"] })).Items.Single();
        Assert.That(exchange.Content, Is.EqualTo("User: What is my dog called?\nAssistant: Rex is a fine name."));
    }

    [Test]
    public async Task AStreamedReplyIsPassedOnAndRememberedWhenItEnds()
    {
        await using var host = MemoryTestHost.Create();
        await host.Memory.RememberAsync("a1", "Invoices are due on the 15th");
        var inner = new ScriptedChatClient("On the 15th.");
        using var client = new ChatClientBuilder(inner).UseAgentMemory().Build(host.Services);
        var options = new ChatOptions { AdditionalProperties = new() { [MemoryChatProperties.AgentId] = "a1" } };

        var updates = new List<string>();
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "When are invoices due?")], options))
        {
            updates.Add(update.Text);
            Assert.That((await host.Memory.ListAsync("a1", new MemoryQuery { Tags = ["chat"] })).Items, Is.Empty, "nothing remembered before the reply ends");
        }

        Assert.That(string.Concat(updates), Is.EqualTo("On the 15th. "));
        Assert.That(inner.Calls.Single().Messages[0].Text, Does.Contain("Invoices are due on the 15th"));
        var exchange = (await host.Memory.ListAsync("a1", new MemoryQuery { Tags = ["chat"] })).Items.Single();
        Assert.That(exchange.Content, Is.EqualTo("User: When are invoices due?\nAssistant: On the 15th."));
    }

    [Test]
    public async Task TheCallsAgentIdWinsOverTheConfiguredOne()
    {
        await using var host = MemoryTestHost.Create();
        await host.Memory.RememberAsync("a1", "a1 likes tea");
        await host.Memory.RememberAsync("a2", "a2 likes tea too");
        var inner = new ScriptedChatClient("ok");
        using var client = new ChatClientBuilder(inner).UseAgentMemory(o => o.AgentId = "a1").Build(host.Services);

        await client.GetResponseAsync("What does the user like? tea", new ChatOptions { AdditionalProperties = new() { [MemoryChatProperties.AgentId] = "a2" } });

        Assert.That(inner.Calls.Single().Messages[0].Text, Does.Contain("a2 likes tea too").And.Not.Contain("a1 likes tea"));
        Assert.That((await host.Memory.ListAsync("a2", new MemoryQuery { Tags = ["chat"] })).Items, Has.Count.EqualTo(1));
        Assert.That((await host.Memory.ListAsync("a1", new MemoryQuery { Tags = ["chat"] })).Items, Is.Empty);
    }

    [TestCase(false, TestName = "Without an agent id a call passes through untouched")]
    [TestCase(true, TestName = "A call marked skip passes through untouched")]
    public async Task PassThrough(bool skip)
    {
        await using var host = MemoryTestHost.Create();
        await host.Memory.RememberAsync("a1", "the password hint is blue");
        var inner = new ScriptedChatClient("ok");
        using var client = new ChatClientBuilder(inner).UseAgentMemory(o => o.AgentId = skip ? "a1" : null).Build(host.Services);
        var options = skip ? new ChatOptions { AdditionalProperties = new() { [MemoryChatProperties.Skip] = true } } : null;

        await client.GetResponseAsync("what is the password hint?", options);

        Assert.That(inner.Calls.Single().Messages.Select(m => m.Text), Is.EqualTo(new[] { "what is the password hint?" }));
        Assert.That((await host.Memory.ListAsync("a1")).Items, Has.Count.EqualTo(1), "nothing remembered");
    }

    [Test]
    public async Task WhenMemoryFailsTheChatStillAnswersAndTheFailureIsLogged()
    {
        var store = new FaultyStore { LoadsFail = true };
        await using var host = MemoryTestHost.Create(store: store);
        var inner = new ScriptedChatClient("fine");
        using var client = new ChatClientBuilder(inner).UseAgentMemory(o => o.AgentId = "a1").Build(host.Services);

        var response = await client.GetResponseAsync("hello");

        Assert.That(response.Text, Is.EqualTo("fine"));
        Assert.That(inner.Calls.Single().Messages.Select(m => m.Text), Is.EqualTo(new[] { "hello" }));
        var names = host.Logs.GetSnapshot().Select(r => r.Id.Name).ToList();
        Assert.That(names, Does.Contain("ChatRecallFailed").And.Contain("ChatRememberFailed"));
    }

    [Test]
    public void BadOptionsAreRefusedWhenThePipelineIsBuilt()
    {
        using var inner = new ScriptedChatClient("x");
        Assert.That(() => new ChatClientBuilder(inner).UseAgentMemory(o => o.MaxMemories = 0), Throws.TypeOf<ArgumentOutOfRangeException>().With.Message.Contains("MaxMemories"));
        Assert.That(() => new ChatClientBuilder(inner).UseAgentMemory(o => o.AgentId = " "), Throws.ArgumentException.With.Message.Contains("agent"));
    }
}
