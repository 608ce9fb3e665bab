using AgentMemory.Tests.TestSupport;
using Microsoft.Agents.AI;
using Microsoft.Extensions.AI;
using NUnit.Framework;

namespace AgentMemory.Tests.AgentFramework;

public sealed class AgentMemoryContextProviderTests
{
    [Test]
    public async Task AnAgentRunGetsItsMemoriesAndIsRememberedWithItsOutcome()
    {
        await using var host = MemoryTestHost.Create();
        var fact = await host.Memory.RememberAsync("helpdesk", "The VPN needs the new certificate since March");
        var chat = new ScriptedChatClient("Install the new certificate.");
        var agent = new ChatClientAgent(chat, new ChatClientAgentOptions { Name = "helpdesk", AIContextProviders = [host.Services.GetAgentMemoryContextProvider()] });

        var response = await agent.RunAsync("The VPN does not connect");

        Assert.That(response.Text, Is.EqualTo("Install the new certificate."));
        var (messages, options) = chat.Calls.Single();
        var sent = string.Join('\n', messages.Select(m => m.Text).Append(options?.Instructions ?? string.Empty));
        Assert.That(sent, Does.Contain("Relevant past experiences:").And.Contain("The VPN needs the new certificate since March"));

        var run = (await host.Memory.ListAsync("helpdesk", new MemoryQuery { Tags = ["agent-run"] })).Items.Single();
        Assert.That(run.Content, Is.EqualTo("User: The VPN does not connect\nAssistant: Install the new certificate."));
        Assert.That(run.Tags, Is.EqualTo(new[] { "agent-run", "success" }));
        Assert.That(run.Metadata.GetProperty("success").GetBoolean(), Is.True);
        Assert.That((await host.Memory.GetAsync("helpdesk", fact.Id))!.Utility, Is.GreaterThan(0));
    }

    [Test]
    public async Task AFailedRunIsRememberedAsAFailureAndLowersTheRecalledMemoriesUtility()
    {
        await using var host = MemoryTestHost.Create();
        var fact = await host.Memory.RememberAsync("support", "Restart the export worker when exports hang");
        var agent = new ChatClientAgent(new ScriptedChatClient(null), new ChatClientAgentOptions { Name = "ignored", AIContextProviders = [host.Memory.AsAIContextProvider("support")] });

        Assert.That(async () => await agent.RunAsync("Exports hang"), Throws.TypeOf<HttpRequestException>());

        var run = (await host.Memory.ListAsync("support", new MemoryQuery { Tags = ["agent-run"] })).Items.Single();
        Assert.That(run.Tags, Is.EqualTo(new[] { "agent-run", "failure" }));
        Assert.That(run.Content, Is.EqualTo("User: Exports hang\nAssistant: (the run failed: HttpRequestException)"));
        Assert.That((await host.Memory.GetAsync("support", fact.Id))!.Utility, Is.LessThan(0));
        Assert.That((await host.Memory.ListAsync("ignored")).Items, Is.Empty, "the configured agent id wins over the agent's name");
    }

    [Test]
    public async Task WhenMemoryFailsTheRunStillAnswers()
    {
        await using var host = MemoryTestHost.Create(store: new FaultyStore { LoadsFail = true });
        var agent = new ChatClientAgent(new ScriptedChatClient("fine"), new ChatClientAgentOptions { Name = "a1", AIContextProviders = [host.Services.GetAgentMemoryContextProvider()] });

        var response = await agent.RunAsync("hello");

        Assert.That(response.Text, Is.EqualTo("fine"));
        var names = host.Logs.GetSnapshot().Select(r => r.Id.Name).ToList();
        Assert.That(names, Does.Contain("AgentRunRecallFailed").And.Contain("AgentRunRememberFailed"));
    }
}
