using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Tests.MultiHost;

/// <summary>
/// Two hosts in two OS processes (AgentMemory.CrashHost in peer mode) on one durable store: each sees the other's
/// changes, concurrent changes of different fields both survive, and an erasure is final. Each store's fixture names
/// the store for the peers and reads the stored rows directly.
/// </summary>
public abstract class TwoProcessContract
{
    /// <summary>Creates a fresh store and returns the crash host's arguments naming it.</summary>
    protected abstract Task<string[]> CreateStoreAsync();

    /// <summary>The stored memory's importance (as a number) and content, as "<c>importance content</c>", read directly.</summary>
    protected abstract Task<string?> StoredImportanceAndContentAsync(Guid id);

    /// <summary>The ids of the agent's stored memories, read directly.</summary>
    protected abstract Task<IReadOnlyList<Guid>> StoredIdsAsync(string agentId);

    [Test]
    public async Task TwoProcessesSeeEachOthersChangesMergeFieldsAndKeepAnErasureFinal()
    {
        var store = await CreateStoreAsync();
        await using var a = await PeerProcess.StartAsync(store);
        await using var b = await PeerProcess.StartAsync(store);

        // 1. Host B holds the agent; what host A remembers later reaches it.
        var first = Id(await a.SendAsync("remember shared the customer's plan is Basic"));
        Assert.That(await a.SendAsync("flush"), Is.EqualTo("OK"));
        Assert.That(await b.SendAsync($"get shared {first}"), Is.EqualTo("MEMORY Medium the customer's plan is Basic"));
        var second = Id(await a.SendAsync("remember shared the customer prefers email"));
        Assert.That(await a.SendAsync("flush"), Is.EqualTo("OK"));
        await EventuallyAsync(b, $"get shared {second}", "MEMORY Medium the customer prefers email");

        // 2. A changes the content, B the importance: both survive, in the store and on both hosts.
        Assert.That(await a.SendAsync($"content shared {first} the customer's plan is Enterprise"), Is.EqualTo("OK"));
        Assert.That(await a.SendAsync("flush"), Is.EqualTo("OK"));
        Assert.That(await b.SendAsync($"importance shared {first} Critical"), Is.EqualTo("OK"));
        Assert.That(await b.SendAsync("flush"), Is.EqualTo("OK"));
        Assert.That(await StoredImportanceAndContentAsync(first), Is.EqualTo($"{(int)Importance.Critical} the customer's plan is Enterprise"));
        await EventuallyAsync(a, $"get shared {first}", "MEMORY Critical the customer's plan is Enterprise");
        await EventuallyAsync(b, $"get shared {first}", "MEMORY Critical the customer's plan is Enterprise");

        // 3. A erases the agent; B, still holding it, updates and remembers: nothing erased comes back.
        Assert.That(await a.SendAsync("erase shared"), Is.EqualTo("OK"));
        await b.SendAsync($"importance shared {second} High");
        var after = Id(await b.SendAsync("remember shared remembered after the erasure"));
        Assert.That(await b.SendAsync("flush"), Is.EqualTo("OK"));
        Assert.That(await StoredIdsAsync("shared"), Is.EqualTo(new[] { after }));
        await EventuallyAsync(a, "count shared", "COUNT 1");
        await EventuallyAsync(b, "count shared", "COUNT 1");
    }

    private static Guid Id(string answer)
    {
        Assert.That(answer, Does.StartWith("OK "));
        return Guid.Parse(answer[3..]);
    }

    private static async Task EventuallyAsync(PeerProcess peer, string command, string expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string answer;
        while ((answer = await peer.SendAsync(command)) != expected)
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"'{command}' answered '{answer}', not '{expected}', for 20 s.");
            }

            await Task.Delay(50);
        }
    }
}
