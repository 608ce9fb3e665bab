using System.Collections.Concurrent;
using AgentMemory.PostgreSql.Tests.TestSupport;
using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Persistence;

/// <summary>Write-behind against a real server: refused rows, shutdown, write-through, concurrency, two hosts.</summary>
public sealed class PostgresWriteBehindTests
{
    /// <summary>
    /// The writer stages updates in a temporary table that lives as long as its connection: a connection going back to
    /// the pool keeps its session, so the table (and its catalog rows) is not made again for every batch.
    /// </summary>
    [Test]
    public async Task TheWritersStagingTableOutlivesItsBatch()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        await using var host = await PostgresHost.StartAsync(schema);
        var memory = await host.Memory.RememberAsync("a1", "updated in three batches");
        await host.Memory.FlushAsync();
        var staging = string.Create(
            System.Globalization.CultureInfo.InvariantCulture,
            $"agentmemory_staging_{PostgresSchema.LatestVersion}_{(ulong)AgentMemory.PostgreSql.Schema.AdvisoryLockKey.For("staging", schema.Name):x}");

        var tables = new List<long>();
        foreach (var importance in new[] { Importance.Low, Importance.High, Importance.Critical })
        {
            await host.Memory.UpdateAsync("a1", memory.Id, new MemoryUpdate { Importance = importance });
            await host.Memory.FlushAsync();
            tables.Add(await schema.ScalarAsync<long>($"SELECT oid::bigint FROM pg_class WHERE relname = '{staging}' AND relpersistence = 't'"));
        }

        Assert.That((await host.Memory.GetAsync("a1", memory.Id))!.Importance, Is.EqualTo(Importance.Critical));
        Assert.That(tables[0], Is.Not.Zero, "the update was staged");
        Assert.That(tables, Is.All.EqualTo(tables[0]), "one staging table for the three batches");
    }

    [Test]
    public async Task ARowTheDatabaseRefusesDoesNotStopItsBatchNorLaterOnes()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        await using var host = await PostgresHost.StartAsync(schema, o => o.Persistence.BatchInterval = TimeSpan.FromMilliseconds(200));
        await schema.ExecuteAsync("ALTER TABLE @schema.memories ADD CONSTRAINT no_poison CHECK (position('POISON' in content) = 0)");

        var good = new List<Guid>();
        for (var i = 0; i < 200; i++)
        {
            good.Add((await host.Memory.RememberAsync("a1", $"good {i}")).Id);
            if (i == 97)
            {
                await host.Memory.RememberAsync("a1", "a POISON row");
            }
        }

        await host.Memory.FlushAsync();
        var later = await host.Memory.RememberAsync("a1", "written after the refused row");
        await host.Memory.FlushAsync();

        var stored = (await MemoryEntries.LoadAllAsync(host.Store, "a1")).Select(e => e.Id).ToList();
        Assert.That(stored, Is.SupersetOf(good));
        Assert.That(stored, Does.Contain(later.Id));
        Assert.That(stored, Has.Count.EqualTo(201));
        var rejected = host.Logs.GetSnapshot().Where(l => l.Id.Name == "ChangeRejected").ToList();
        Assert.That(rejected, Has.Count.EqualTo(1));
        Assert.That(rejected[0].Message, Does.Contain("23514").And.Contain("no_poison"));
    }

    [Test]
    public async Task StoppingTheHostWritesEverythingStillQueued()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var host = await PostgresHost.StartAsync(schema, o => o.Persistence.BatchInterval = TimeSpan.FromSeconds(30));
        var ids = new List<Guid>();
        for (var i = 0; i < 3_000; i++)
        {
            ids.Add((await host.Memory.RememberAsync($"agent-{i % 3}", $"queued memory {i}")).Id);
        }

        await host.StopAsync();
        await host.DisposeAsync();

        var count = await schema.ScalarAsync<long>("SELECT count(*) FROM @schema.memories");
        var distinct = await schema.ScalarAsync<long>("SELECT count(DISTINCT id) FROM @schema.memories");
        Assert.That(count, Is.EqualTo(ids.Count));
        Assert.That(distinct, Is.EqualTo(ids.Count));
    }

    [Test]
    public async Task DisposingTheHostWithoutStoppingItStillDrains()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var host = await PostgresHost.StartAsync(schema, o => o.Persistence.BatchInterval = TimeSpan.FromSeconds(30));
        for (var i = 0; i < 500; i++)
        {
            await host.Memory.RememberAsync("a1", $"queued memory {i}");
        }

        await host.DisposeAsync();
        Assert.That(await schema.ScalarAsync<long>("SELECT count(*) FROM @schema.memories"), Is.EqualTo(500));
    }

    [Test]
    public async Task WriteThroughMakesEachAcknowledgedMemoryDurableBeforeItReturns()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        await using var host = await PostgresHost.StartAsync(schema, o =>
        {
            o.Persistence.Durability = Durability.WriteThrough;
            o.Persistence.BatchInterval = TimeSpan.FromSeconds(30);
        });

        await using var connection = await schema.DataSource.OpenConnectionAsync();
        for (var i = 0; i < 50; i++)
        {
            var entry = await host.Memory.RememberAsync("a1", $"durable {i}");
            await using var check = new Npgsql.NpgsqlCommand($"SELECT count(*) FROM \"{schema.Name}\".memories WHERE agent_id = 'a1' AND id = $1", connection)
            {
                Parameters = { new Npgsql.NpgsqlParameter<Guid> { TypedValue = entry.Id } },
            };
            Assert.That((long)(await check.ExecuteScalarAsync())!, Is.EqualTo(1), $"memory {i} is committed when RememberAsync returns");
        }

        // Concurrent write-through callers are all durable when their calls return.
        await Task.WhenAll(Enumerable.Range(0, 200).Select(i => host.Memory.RememberAsync($"agent-{i % 4}", $"concurrent {i}").AsTask()));
        Assert.That(await schema.ScalarAsync<long>("SELECT count(*) FROM @schema.memories"), Is.EqualTo(250));
    }

    [Test]
    public async Task ConcurrentWritersRecallsAndUpdatesEndWithTheDatabaseEqualToMemory()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        await using var host = await PostgresHost.StartAsync(schema, o => o.Embeddings.UseBuiltInGenerator = false);
        const int Writers = 8, Agents = 50, PerAgent = 2_000;
        var perWriter = Agents * PerAgent / Writers;
        var updates = new ConcurrentBag<Guid>();
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < perWriter; i++)
            {
                var agent = $"agent-{(w * perWriter + i) % Agents}";
                var entry = await host.Memory.RememberAsync(agent, $"writer {w} memory {i} about topic {i % 17}");
                if (i % 10 == 0)
                {
                    await host.Memory.UpdateAsync(agent, entry.Id, new MemoryUpdate { Importance = Importance.High, Tags = ["updated"] });
                    updates.Add(entry.Id);
                }

                if (i % 25 == 0)
                {
                    await host.Memory.RecallAsync(agent, $"topic {i % 17}");
                }

                if (i % 200 == 0)
                {
                    await Task.Yield();
                }
            }
        })));
        await host.Memory.FlushAsync();

        var total = 0;
        for (var a = 0; a < Agents; a++)
        {
            var agent = $"agent-{a}";
            var inMemory = (await host.Memory.ListAsync(agent, new MemoryQuery { Limit = PerAgent * 2 })).Items.ToDictionary(e => e.Id);
            var stored = await MemoryEntries.LoadAllAsync(host.Store, agent);
            Assert.That(stored, Has.Count.EqualTo(inMemory.Count), agent);
            foreach (var entry in stored)
            {
                MemoryEntries.AssertSame(entry, inMemory[entry.Id]);
            }

            total += stored.Count;
        }

        Assert.That(total, Is.EqualTo(Agents * PerAgent));
        Assert.That(await schema.ScalarAsync<long>("SELECT count(*) FROM @schema.memories WHERE 'updated' = ANY(tags) AND version = 2"), Is.EqualTo(updates.Count));
    }

    [Test]
    public async Task TwoHostsStartingTogetherOnAnEmptyDatabaseCreateTheSchemaOnce()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var hosts = Enumerable.Range(0, 4).Select(_ => PostgresHost.Create(schema)).ToList();
        try
        {
            await Task.WhenAll(hosts.Select(h => h.StartAsync()));
            await Task.WhenAll(hosts.Select((h, i) => h.Memory.RememberAsync("a1", $"from host {i}").AsTask()));
            await Task.WhenAll(hosts.Select(h => h.Memory.FlushAsync()));

            Assert.That(await schema.ScalarAsync<long>("SELECT count(*) FROM @schema.schema_migrations"), Is.EqualTo(PostgresSchema.LatestVersion));
            Assert.That(await schema.ScalarAsync<long>("SELECT count(*) FROM @schema.memories"), Is.EqualTo(4));
            var applied = hosts.Sum(h => h.Logs.GetSnapshot().Count(l => l.Id.Name == "MigrationApplied"));
            Assert.That(applied, Is.EqualTo(PostgresSchema.LatestVersion), "each migration applied by exactly one host");
            Assert.That(hosts.All(h => h.Logs.GetSnapshot().Any(l => l.Id.Name == "SchemaReady" && l.Level == LogLevel.Information)), Is.True);
        }
        finally
        {
            foreach (var host in hosts)
            {
                await host.DisposeAsync();
            }
        }
    }
}
