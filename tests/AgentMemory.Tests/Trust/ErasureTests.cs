using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;
using static AgentMemory.Tests.TestSupport.VectorEmbeddingGenerator;

namespace AgentMemory.Tests.Trust;

/// <summary>An erasure reaches what was derived from the erased memories, and consolidation never brings it back.</summary>
public sealed class ErasureTests
{
    private static readonly string[] Calls =
    [
        "Jane Doe SSN 123-45-6789 called support about her delayed invoice payment",
        "Jane Doe SSN 123-45-6789 called again about the delayed invoice payment",
        "Jane Doe SSN 123-45-6789 phoned support about her invoice payment delay",
    ];

    [Test]
    public async Task ForgettingTheAgentWhileAClusterIsPhrasedBringsNothingBack()
    {
        var store = new FaultyStore();
        var chat = new GatedChatClient("Jane Doe (SSN 123-45-6789) keeps calling about a delayed invoice.");
        await using (var host = await ClusterHostAsync(store, chat))
        {
            var run = host.Memory.ConsolidateAsync("jane-agent").AsTask();
            await chat.Called.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await host.Memory.ForgetAgentAsync("jane-agent");
            chat.Release.SetResult();
            var report = await run.WaitAsync(TimeSpan.FromSeconds(10));
            await host.Memory.FlushAsync();

            Assert.That(report.Kept, Is.Zero, "the report counts the agent as it is: erased");
            Assert.That(report.Promoted, Is.Zero);
            Assert.That((await host.Memory.ListAsync("jane-agent")).TotalCount, Is.Zero);
        }

        await using var restarted = MemoryTestHost.Create(store: store);
        Assert.That(await restarted.Memory.LoadAgentAsync("jane-agent"), Is.Zero, "nothing came back after a restart");
    }

    [Test]
    public async Task ForgettingTheSourcesWhileAClusterIsPhrasedBringsNothingBack()
    {
        var store = new FaultyStore();
        var chat = new GatedChatClient("Jane Doe (SSN 123-45-6789) keeps calling about a delayed invoice.");
        await using var host = await ClusterHostAsync(store, chat);
        var episodes = (await host.Memory.ListAsync("jane-agent")).Items;

        var run = host.Memory.ConsolidateAsync("jane-agent").AsTask();
        await chat.Called.Task.WaitAsync(TimeSpan.FromSeconds(10));
        foreach (var episode in episodes)
        {
            await host.Memory.ForgetAsync("jane-agent", episode.Id);
        }

        chat.Release.SetResult();
        var report = await run.WaitAsync(TimeSpan.FromSeconds(10));
        await host.Memory.FlushAsync();

        Assert.That((report.Promoted, report.Kept), Is.EqualTo((0, 0)));
        Assert.That(await MemoryEntries.LoadAllAsync(store, "jane-agent"), Is.Empty);
    }

    [Test]
    public async Task ForgettingAnEpisodeForgetsTheSemanticMemoryMadeFromIt()
    {
        var store = new FaultyStore();
        await using var host = await ClusterHostAsync(store, chat: null);
        await host.Memory.ConsolidateAsync("jane-agent");
        var semantic = (await host.Memory.ListAsync("jane-agent", new MemoryQuery { Types = [MemoryType.Semantic] })).Items.Single();
        var episode = semantic.SourceIds[0];

        Assert.That(await host.Memory.ForgetAsync("jane-agent", episode), Is.True);
        await host.Memory.FlushAsync();

        Assert.That(await host.Memory.GetAsync("jane-agent", semantic.Id), Is.Null, "the derived copy went with it");
        Assert.That((await MemoryEntries.LoadAllAsync(store, "jane-agent")).Select(m => m.Id), Has.No.Member(semantic.Id).And.No.Member(episode));
        Assert.That((await host.Memory.ListAsync("jane-agent")).TotalCount, Is.EqualTo(2), "the other episodes stay");
    }

    [Test]
    public async Task ForgettingAMemoryThatWasMergedAwayForgetsTheMemoryItWasMergedInto()
    {
        var vectors = new VectorEmbeddingGenerator()
            .Set("Jane Doe prefers to be called in the morning", Vector((0, 1f)))
            .Set("Jane Doe prefers calls in the morning", Vector((0, 0.99f), (1, 0.1f)));
        await using var host = MemoryTestHost.Create(services: s => s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(vectors));
        var kept = await host.Memory.RememberAsync("a1", new MemoryDraft("Jane Doe prefers to be called in the morning") { Importance = Importance.High });
        var merged = await host.Memory.RememberAsync("a1", "Jane Doe prefers calls in the morning");
        Assert.That((await host.Memory.ConsolidateAsync("a1")).Merged, Is.EqualTo(1));
        Assert.That(await host.Memory.GetAsync("a1", merged.Id), Is.Null, "merged away");

        Assert.That(await host.Memory.ForgetAsync("a1", merged.Id), Is.True);

        Assert.That(await host.Memory.GetAsync("a1", kept.Id), Is.Null, "the memory that holds its words goes too");
        Assert.That(await host.Memory.ForgetAsync("a1", merged.Id), Is.False, "and then nothing is left of it");
    }

    /// <summary>Three similar calls (a cluster) remembered by "jane-agent", with the chat client (if any) to phrase it.</summary>
    private static async Task<MemoryTestHost> ClusterHostAsync(FaultyStore store, IChatClient? chat)
    {
        var vectors = ClusterVectors.For(Calls);
        var host = MemoryTestHost.Create(store: store, services: s =>
        {
            s.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(vectors);
            if (chat is not null)
            {
                s.AddSingleton(chat);
            }
        });
        foreach (var call in Calls)
        {
            await host.Memory.RememberAsync("jane-agent", call);
        }

        await host.Memory.FlushAsync();
        return host;
    }

    /// <summary>A chat client that answers only once the test releases it, and says when it was called.</summary>
    private sealed class GatedChatClient(string reply) : IChatClient
    {
        public TaskCompletionSource Called { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        {
            Called.TrySetResult();
            await Release.Task.WaitAsync(cancellationToken);
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, reply));
        }

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
