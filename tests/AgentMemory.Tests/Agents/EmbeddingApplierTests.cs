using AgentMemory.Agents;
using AgentMemory.Embeddings;
using AgentMemory.Persistence;
using AgentMemory.Retrieval;
using AgentMemory.Testing;
using AgentMemory.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.Tests.Agents;

/// <summary>Computed embeddings reach the agents' replicas, one agent lock at a time.</summary>
public sealed class EmbeddingApplierTests
{
    [Test]
    public async Task AnAgentWhoseLockIsBusyDoesNotHoldUpTheOthersInTheBatch()
    {
        // The busy agent comes first in the batch: a recall holds its lock for as long as it reads.
        var busy = new AgentReplica("busy", "model");
        var free = new AgentReplica("free", "model");
        var busyMemory = Add(busy, "the nightly backup runs at two");
        var freeMemory = Add(free, "the staging cluster runs postgres 15");
        var applier = new EmbeddingApplier(new WriteQueue(100, QueueFullMode.Throw));
        EmbeddingJob[] jobs = [new(busy, busyMemory.Id, busyMemory.Content), new(free, freeMemory.Id, freeMemory.Content)];
        float[][] vectors = [[1, 0], [0, 1]];

        // The lock is the thread's own, so the reader is a thread that holds it until told to go.
        using var reading = new ManualResetEventSlim();
        using var done = new ManualResetEventSlim();
        var reader = new Thread(() =>
        {
            using (busy.EnterRead())
            {
                reading.Set();
                done.Wait(TimeSpan.FromSeconds(30));
            }
        });
        reader.Start();
        reading.Wait(TimeSpan.FromSeconds(10));

        var applying = Task.Run(() => applier.Apply(jobs, vectors, "model"));
        await Waiting.UntilAsync(() => Embedded(free), "the free agent's embedding was applied while the busy one was read");
        Assert.That(applying.IsCompleted, Is.False, "the busy agent waits for its reader");
        done.Set();
        reader.Join();

        await applying.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(Embedded(busy), Is.True, "applied once its reader was done");
    }

    private static bool Embedded(AgentReplica agent)
    {
        using (agent.EnterRead())
        {
            return agent.EntryAt(0).Embedding is not null;
        }
    }

    private static MemoryEntry Add(AgentReplica agent, string content)
    {
        var entry = MemoryEntries.Simple(agent.AgentId, content);
        using (agent.EnterWrite())
        {
            agent.Add(entry, ContentIdentity.Hash(content), TermCounts.ForMemory(content, entry.Tags));
        }

        return entry;
    }
}
