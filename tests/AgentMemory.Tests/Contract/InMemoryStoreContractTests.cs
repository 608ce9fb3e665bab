using AgentMemory.Storage;
using NUnit.Framework;

namespace AgentMemory.Tests.Contract;

[TestFixture]
public sealed class InMemoryStoreContractTests : MemoryStoreContract
{
    protected override Task<IMemoryStore> CreateStoreAsync() => Task.FromResult<IMemoryStore>(new InMemoryMemoryStore());
}
