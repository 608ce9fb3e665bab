using AgentMemory.PostgreSql.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.MultiHost;

/// <summary>Two hosts in two OS processes on one database: the three observations of the multi-host issue.</summary>
public sealed class TwoProcessTests
{
    [Test]
    public async Task TwoProcessesSeeEachOthersChangesMergeFieldsAndKeepAnErasureFinal()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        await using var a = await PeerProcess.StartAsync(schema);
        await using var b = await PeerProcess.StartAsync(schema);

        // 1. Host B holds the agent; what host A remembers later reaches it.
        var first = Id(await a.SendAsync("remember shared the customer's plan is Basic"));
        Assert.That(await a.SendAsync("flush"), Is.EqualTo("OK"));
        Assert.That(await b.SendAsync($"get shared {first}"), Is.EqualTo("MEMORY Medium the customer's plan is Basic"));
        var second = Id(await a.SendAsync("remember shared the customer prefers email"));
        Assert.That(await a.SendAsync("flush"), Is.EqualTo("OK"));
        await EventuallyAsync(b, $"get shared {second}", "MEMORY Medium the customer prefers email");

        // 2. A changes the content, B the importance: both survive, in the database and on both hosts.
        Assert.That(await a.SendAsync($"content shared {first} the customer's plan is Enterprise"), Is.EqualTo("OK"));
        Assert.That(await a.SendAsync("flush"), Is.EqualTo("OK"));
        Assert.That(await b.SendAsync($"importance shared {first} Critical"), Is.EqualTo("OK"));
        Assert.That(await b.SendAsync("flush"), Is.EqualTo("OK"));
        Assert.That(
            await schema.ScalarAsync<string>($"SELECT importance || ' ' || content FROM @schema.memories WHERE id = '{first}'"),
            Is.EqualTo($"{(int)Importance.Critical} the customer's plan is Enterprise"));
        await EventuallyAsync(a, $"get shared {first}", "MEMORY Critical the customer's plan is Enterprise");
        await EventuallyAsync(b, $"get shared {first}", "MEMORY Critical the customer's plan is Enterprise");

        // 3. A erases the agent; B, still holding it, updates and remembers: nothing erased comes back.
        Assert.That(await a.SendAsync("erase shared"), Is.EqualTo("OK"));
        await b.SendAsync($"importance shared {second} High");
        var after = Id(await b.SendAsync("remember shared remembered after the erasure"));
        Assert.That(await b.SendAsync("flush"), Is.EqualTo("OK"));
        Assert.That(
            await schema.ScalarAsync<string>("SELECT string_agg(id::text, ',') FROM @schema.memories WHERE agent_id = 'shared'"),
            Is.EqualTo(after.ToString()));
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
