using AgentMemory.AgentFramework;
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
    public async Task ARunWhoseTaskFailedIsRememberedAsAFailureAndLowersTheRecalledMemoriesUtility()
    {
        await using var host = MemoryTestHost.Create();
        var fact = await host.Memory.RememberAsync("support", "Restart the export worker when exports hang");
        var chat = new ScriptedChatClient(null) { Failure = static () => new InvalidOperationException("the export tool refused the request") };
        var agent = new ChatClientAgent(chat, new ChatClientAgentOptions { Name = "ignored", AIContextProviders = [host.Memory.AsAIContextProvider("support")] });

        Assert.That(async () => await agent.RunAsync("Exports hang"), Throws.TypeOf<InvalidOperationException>());

        var run = (await host.Memory.ListAsync("support", new MemoryQuery { Tags = ["agent-run"] })).Items.Single();
        Assert.That(run.Tags, Is.EqualTo(new[] { "agent-run", "failure" }));
        Assert.That(run.Content, Is.EqualTo("User: Exports hang\nAssistant: (the run failed: InvalidOperationException)"));
        Assert.That((await host.Memory.GetAsync("support", fact.Id))!.Utility, Is.LessThan(0));
        Assert.That((await host.Memory.ListAsync("ignored")).Items, Is.Empty, "the configured agent id wins over the agent's name");
    }

    [Test]
    public async Task RunsThatFailBecauseTheModelIsDownTeachNothingAndAreNotRemembered()
    {
        await using var host = MemoryTestHost.Create();
        var fact = await host.Memory.RememberAsync("support", "Restart the export worker when exports hang");
        var agent = new ChatClientAgent(new ScriptedChatClient(null), new ChatClientAgentOptions { Name = "support", AIContextProviders = [host.Services.GetAgentMemoryContextProvider()] });

        for (var i = 0; i < 20; i++)
        {
            Assert.That(async () => await agent.RunAsync("Exports hang"), Throws.TypeOf<HttpRequestException>());
        }

        Assert.That((await host.Memory.GetAsync("support", fact.Id))!.Utility, Is.Zero, "an outage is not an outcome");
        Assert.That((await host.Memory.ListAsync("support")).Items.Select(m => m.Id), Is.EqualTo(new[] { fact.Id }), "nothing remembered of the failed runs");
        var recalled = await host.Memory.RecallAsync("support", "Exports hang");
        Assert.That(recalled[0].Memory.Id, Is.EqualTo(fact.Id), "the right fact is still the top recall");
        Assert.That(host.Logs.GetSnapshot().Count(l => l.Id.Name == "AgentRunNotLearnedFrom"), Is.EqualTo(20));
    }

    [TestCase(typeof(HttpRequestException), true)]
    [TestCase(typeof(TimeoutException), true)]
    [TestCase(typeof(TaskCanceledException), true)]
    [TestCase(typeof(System.IO.IOException), true)]
    [TestCase(typeof(InvalidOperationException), false)]
    [TestCase(typeof(ArgumentException), false)]
    public void ServiceFailuresAreToldFromTaskFailuresAlsoWhenWrapped(Type type, bool isService)
    {
        var exception = (Exception)Activator.CreateInstance(type, "failed")!;

        Assert.That(AgentMemoryContextProviderOptions.IsServiceFailureByDefault(exception), Is.EqualTo(isService));
        Assert.That(AgentMemoryContextProviderOptions.IsServiceFailureByDefault(new InvalidOperationException("wrapped", exception)), Is.EqualTo(isService));
        Assert.That(AgentMemoryContextProviderOptions.IsServiceFailureByDefault(new AggregateException(exception)), Is.EqualTo(isService));
    }

    [Test]
    public async Task RunsOfTwoScopesNeverSeeEachOthersMemories()
    {
        await using var host = MemoryTestHost.Create();
        var user = "user-a";
        var chat = new ScriptedChatClient("Noted.");
        var provider = host.Services.GetAgentMemoryContextProvider(o => o.Scope = (_, _) => user);
        var agent = new ChatClientAgent(chat, new ChatClientAgentOptions { Name = "support", AIContextProviders = [provider] });

        await agent.RunAsync("My card number is 4111 1111 1111 1111, refund it");
        user = "user-b";
        await agent.RunAsync("Which card number should be refunded?");

        var sentForB = string.Join('\n', chat.Calls.Last().Messages.Select(m => m.Text).Append(chat.Calls.Last().Options?.Instructions ?? string.Empty));
        Assert.That(sentForB, Does.Not.Contain("4111"), "user B's run carries nothing of user A");
        Assert.That((await host.Memory.ListAsync("support/user-a")).TotalCount, Is.EqualTo(1));
        Assert.That((await host.Memory.ListAsync("support/user-b")).TotalCount, Is.EqualTo(1));
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
