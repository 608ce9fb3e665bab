using AgentMemory.Embeddings;
using AgentMemory.Persistence;
using AgentMemory.Retrieval;
using Microsoft.Extensions.Options;

namespace AgentMemory.Agents;

/// <summary>
/// Runs a change of one agent the one way changes flow: reserve queue room first (waiting or failing fast while nothing
/// is changed yet), find the agent, apply the change to its replica and emit its records under the agent's write lock,
/// start the embeddings it needs, and in write-through mode wait for the commit.
/// </summary>
internal sealed class AgentMutator
{
    private readonly AgentCache _cache;
    private readonly WriteQueue _queue;
    private readonly PersistencePipeline _pipeline;
    private readonly EmbeddingService _embeddings;
    private readonly bool _writeThrough;

    // The last write-behind mutation this thread finished: a remember would otherwise allocate one every call. Taken
    // and given back on the same thread, with no await between (see MutateAsync).
    [ThreadStatic]
    private static Mutation? t_spare;

    public AgentMutator(AgentCache cache, WriteQueue queue, PersistencePipeline pipeline, EmbeddingService embeddings, IOptions<AgentMemoryOptions> options)
    {
        _cache = cache;
        _queue = queue;
        _pipeline = pipeline;
        _embeddings = embeddings;
        _writeThrough = options.Value.Persistence.Durability == Durability.WriteThrough;
    }

    /// <summary>Runs one change (see the overload with a state).</summary>
    public ValueTask<T> MutateAsync<T>(string agentId, int reserve, Func<Mutation, T> mutate, CancellationToken cancellationToken) =>
        MutateAsync(agentId, reserve, mutate, static (mutation, mutate) => mutate(mutation), cancellationToken);

    /// <summary>
    /// Runs one change of one agent, with room for <paramref name="reserve"/> records. <paramref name="state"/> is
    /// handed to <paramref name="mutate"/>, so a hot caller (a remember) allocates no closure. A change that throws
    /// before emitting anything changes nothing.
    /// </summary>
    public async ValueTask<T> MutateAsync<TState, T>(string agentId, int reserve, TState state, Func<Mutation, TState, T> mutate, CancellationToken cancellationToken)
    {
        _pipeline.EnsureStarted();
        await _queue.ReserveAsync(reserve, cancellationToken).ConfigureAwait(false);
        var unused = reserve;
        try
        {
            while (true)
            {
                var agent = await _cache.GetAsync(agentId, cancellationToken).ConfigureAwait(false);
                var mutation = Rent(agent, reserve);
                T result;
                try
                {
                    using (agent.EnterWrite())
                    {
                        if (agent.IsRetired)
                        {
                            continue;
                        }

                        try
                        {
                            result = mutate(mutation, state);
                        }
                        finally
                        {
                            // Places used by records already emitted are released by the writer, never here too.
                            unused = mutation.UnusedReservations;
                        }
                    }

                    for (var i = 0; i < mutation.EmbeddingCount; i++)
                    {
                        var (id, content) = mutation.EmbeddingAt(i);
                        _embeddings.Enqueue(agent, id, content);
                    }

                    if (!_writeThrough)
                    {
                        return result;
                    }
                }
                finally
                {
                    GiveBack(mutation);
                }

                try
                {
                    await mutation.WhenDurable().WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (MemoryStoreException ex) when (!ex.IsTransient)
                {
                    TakeBack(agent, mutation);
                    throw;
                }

                return result;
            }
        }
        finally
        {
            _queue.Release(unused);
        }
    }

    /// <summary>A mutation for one call: this thread's spare in write-behind mode, a new one in write-through mode (it waits for the commit).</summary>
    private Mutation Rent(AgentReplica agent, int reserve)
    {
        if (_writeThrough)
        {
            return new Mutation(_queue, agent, reserve, writeThrough: true);
        }

        var mutation = t_spare ?? new Mutation();
        t_spare = null;
        mutation.Begin(_queue, agent, reserve, writeThrough: false);
        return mutation;
    }

    private void GiveBack(Mutation mutation)
    {
        if (!_writeThrough)
        {
            mutation.Clear();
            t_spare = mutation;
        }
    }

    /// <summary>
    /// Whether the memory is still as the refused change left it: an embedding computed for it meanwhile (which may
    /// also have given it the next version) is no change of its own.
    /// </summary>
    private static bool Unchanged(MemoryEntry current, MemoryEntry written) =>
        current == written
        || current with { Embedding = written.Embedding, EmbeddingModel = written.EmbeddingModel, Version = written.Version } == written;

    /// <summary>
    /// A write-through change the store refused is taken back in process too, so a refused call changes nothing: the
    /// memories it inserted are removed and the ones it changed get their previous snapshot back, each unless changed
    /// since (a later change then stands on its own).
    /// </summary>
    private static void TakeBack(AgentReplica agent, Mutation mutation)
    {
        if (mutation.Inserts is null && mutation.Updates is null)
        {
            return;
        }

        using (agent.EnterWrite())
        {
            foreach (var (previous, updated) in Enumerable.Reverse(mutation.Updates ?? []))
            {
                if (agent.SlotOf(updated.Id) is var slot and >= 0 && Unchanged(agent.EntryAt(slot), updated))
                {
                    agent.Replace(slot, previous, ContentIdentity.Hash(previous.Content), TermCounts.ForMemory(previous.Content, previous.Tags));
                }
            }

            foreach (var entry in mutation.Inserts ?? [])
            {
                if (agent.SlotOf(entry.Id) is var slot and >= 0 && Unchanged(agent.EntryAt(slot), entry))
                {
                    agent.Remove(slot);
                }
            }
        }
    }

    /// <summary>
    /// Erases the agent: its replica is retired and an empty successor takes its place in the cache, pinned by the
    /// queued erasure, so nothing stale is loaded from the store while the erasure waits to be written.
    /// </summary>
    /// <returns>How many memories the agent had.</returns>
    public async ValueTask<int> EraseAsync(string agentId, CancellationToken cancellationToken)
    {
        _pipeline.EnsureStarted();
        await _queue.ReserveAsync(1, cancellationToken).ConfigureAwait(false);
        var reserved = true;
        try
        {
            while (true)
            {
                var agent = await _cache.GetAsync(agentId, cancellationToken).ConfigureAwait(false);
                Mutation mutation;
                int erased;
                using (agent.EnterWrite())
                {
                    if (agent.IsRetired)
                    {
                        continue;
                    }

                    agent.IsRetired = true;
                    erased = agent.Count;
                    // An erasure is acknowledged once it is written, whatever the durability: whoever asked to be forgotten
                    // is told so only when it is true, and what is remembered after the call returns is after the erasure.
                    mutation = new Mutation(_queue, _cache.ReplaceWithEmpty(agentId), 1, writeThrough: true);
                    mutation.Erased();
                    reserved = false;
                }

                await mutation.WhenDurable().WaitAsync(cancellationToken).ConfigureAwait(false);
                return erased;
            }
        }
        finally
        {
            if (reserved)
            {
                _queue.Release(1);
            }
        }
    }
}
