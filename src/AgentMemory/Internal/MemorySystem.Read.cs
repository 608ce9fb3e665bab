using AgentMemory.Retrieval;
using AgentMemory.Validation;

namespace AgentMemory.Internal;

internal sealed partial class MemorySystem
{
    public async ValueTask<MemoryEntry?> GetAsync(string agentId, Guid memoryId, CancellationToken cancellationToken = default)
    {
        MemoryValidator.AgentId(agentId);
        MemoryValidator.MemoryId(memoryId);
        var agent = await _cache.GetAsync(agentId, cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        using (agent.EnterRead())
        {
            return agent.Get(memoryId) is { } entry && !entry.IsExpired(now) ? entry : null;
        }
    }

    public async ValueTask<MemoryPage> ListAsync(string agentId, MemoryQuery? query = null, CancellationToken cancellationToken = default)
    {
        MemoryValidator.AgentId(agentId);
        query ??= new MemoryQuery();
        MemoryValidator.Query(query);
        var agent = await _cache.GetAsync(agentId, cancellationToken).ConfigureAwait(false);
        var filter = CompiledFilter.Create(query, _time.GetUtcNow());
        List<MemoryEntry> matching;
        using (agent.EnterRead())
        {
            matching = agent.Matching(filter);
        }

        matching.Sort(static (a, b) =>
        {
            var byTime = a.CreatedAt.CompareTo(b.CreatedAt);
            return byTime != 0 ? byTime : a.Id.CompareTo(b.Id);
        });
        var page = matching.Skip(query.Offset).Take(query.Limit).ToList();
        return new MemoryPage(page, matching.Count);
    }

    public ValueTask<IReadOnlyList<RecalledMemory>> RecallAsync(string agentId, RecallRequest request, CancellationToken cancellationToken = default)
    {
        MemoryValidator.AgentId(agentId);
        _validator.Recall(request);
        return _recaller.RecallAsync(agentId, request, cancellationToken);
    }
}
