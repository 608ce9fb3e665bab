using Microsoft.Extensions.DependencyInjection;
using NUnit.Framework;

namespace AgentMemory.Tests.MultiHost;

/// <summary>Several hosts sharing one in-memory store instance, as several replicas share one database.</summary>
[TestFixture]
public sealed class InMemoryHostCoherenceTests : HostCoherenceContract
{
    private InMemoryMemoryStore _store = new();

    [SetUp]
    public void NewStore() => _store = new InMemoryMemoryStore();

    protected override void UseSharedStore(IAgentMemoryBuilder memory) => memory.UseStore(_store);
}
