using AgentMemory.PostgreSql.Tests.TestSupport;
using AgentMemory.Storage;
using AgentMemory.Testing;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Storage;

/// <summary>
/// Patches go through a staging table and one UPDATE, which takes each memory's row once: a set that patches one
/// memory twice has its latest version picked before the copy — the larger version, and of equal ones the later patch.
/// </summary>
public sealed class PatchStagingTests
{
    [Test]
    public async Task ASetThatPatchesOneMemoryTwiceKeepsItsLatestVersion()
    {
        await using var test = await PostgresTestStore.CreateAsync();
        var agent = MemoryEntries.UniqueAgent();
        var byVersion = MemoryEntries.Simple(agent, "first wording", version: 1);
        var byOrder = MemoryEntries.Simple(agent, "first wording", version: 1);
        await test.Store.ApplyAsync(new MemoryChangeSet { Inserts = [byVersion, byOrder] });

        await test.Store.ApplyAsync(new MemoryChangeSet
        {
            Updates =
            [
                new MemoryPatch(byVersion with { Content = "third wording", Version = 3 }, MemoryFields.Content),
                new MemoryPatch(byVersion with { Content = "second wording", Version = 2 }, MemoryFields.Content),
                new MemoryPatch(byOrder with { Content = "earlier patch", Version = 2 }, MemoryFields.Content),
                new MemoryPatch(byOrder with { Content = "later patch", Version = 2 }, MemoryFields.Content),
            ],
        });

        var loaded = (await MemoryEntries.LoadAllAsync(test.Store, agent)).ToDictionary(m => m.Id);
        Assert.That((loaded[byVersion.Id].Content, loaded[byVersion.Id].Version), Is.EqualTo(("third wording", 3L)), "the larger version wins");
        Assert.That((loaded[byOrder.Id].Content, loaded[byOrder.Id].Version), Is.EqualTo(("later patch", 2L)), "of equal versions, the later patch wins");
    }
}
