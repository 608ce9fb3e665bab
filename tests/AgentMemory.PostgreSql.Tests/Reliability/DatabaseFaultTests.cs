using System.Diagnostics.Metrics;
using AgentMemory.PostgreSql.Tests.TestSupport;
using AgentMemory.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Npgsql;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Reliability;

/// <summary>
/// Faults a production database throws at the library: its connections terminated by the server during writes and
/// during a load, a statement timeout during a load, and the connection pool exhausted by the host's other code. The
/// library recovers by itself each time, loses and duplicates nothing, and each fault shows in logs and metrics.
/// </summary>
[NonParallelizable]
public sealed class DatabaseFaultTests
{
    [Test]
    public async Task ConnectionsTerminatedDuringWritesLoseNothing()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var application = Application();
        await using var host = await StartAsync(schema, Connection(schema, application), o => o.Persistence.BatchSize = 100);
        using var failures = Collector(host, "agentmemory.persistence.failures");

        var ids = new List<Guid>();
        using var writing = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            for (var i = 0; !writing.IsCancellationRequested; i++)
            {
                ids.Add((await host.Memory.RememberAsync($"agent-{i % 4}", $"memory {i} written while connections die")).Id);
                if (i % 20 == 0)
                {
                    await Task.Delay(2);
                }
            }
        });

        var terminated = 0L;
        for (var round = 0; round < 10; round++)
        {
            await Task.Delay(200);
            terminated += await TerminateAsync(schema, application);
        }

        await writing.CancelAsync();
        await writer;
        await host.Memory.FlushAsync();

        Assert.That(terminated, Is.GreaterThan(0), "the test did terminate the library's connections");
        Assert.That(await schema.ScalarAsync<long>("SELECT count(*) FROM @schema.memories"), Is.EqualTo(ids.Count));
        Assert.That(await schema.ScalarAsync<long>("SELECT count(DISTINCT id) FROM @schema.memories"), Is.EqualTo(ids.Count));
        Assert.That(failures.GetMeasurementSnapshot().Sum(m => m.Value), Is.GreaterThan(0), "the failures are counted");
        Assert.That(host.Logs.GetSnapshot().Any(l => l.Id.Name is "StoreUnavailable" or "BatchRetry"), Is.True, "the failures are logged");
    }

    [Test]
    public async Task AConnectionTerminatedDuringALoadIsRetriedAndTheAgentLoadsWhole()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        const int Memories = 2_000;
        await SeedAsync(schema, Memories);
        var application = Application();
        await using var host = await StartAsync(schema, Connection(schema, application));

        // The load waits on a lock the test holds, so it is surely in flight when its connection is terminated.
        await using var blocker = await schema.DataSource.OpenConnectionAsync();
        await using var transaction = await blocker.BeginTransactionAsync();
        await Execute(blocker, $"LOCK TABLE \"{schema.Name}\".memories IN ACCESS EXCLUSIVE MODE", transaction);
        var load = host.Memory.LoadAgentAsync("big").AsTask();
        await Waiting.UntilAsync(async () => await ScalarAsync(schema, $"SELECT count(*) FROM pg_stat_activity WHERE application_name = '{application}' AND wait_event_type = 'Lock'") > 0, "the load waits on the lock", seconds: 20);
        Assert.That(await TerminateAsync(schema, application, waitingOnLock: true), Is.EqualTo(1));
        await transaction.CommitAsync();

        Assert.That(await load.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(Memories));
        Assert.That(host.Logs.GetSnapshot().Any(l => l.Id.Name == "AgentLoadRetry"), Is.True, "the retry is logged");
    }

    [Test]
    public async Task AStatementTimeoutDuringALoadIsRetried()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        const int Memories = 500;
        await SeedAsync(schema, Memories);
        var connection = new NpgsqlConnectionStringBuilder(Connection(schema, Application())) { Options = "-c statement_timeout=400" }.ConnectionString;
        await using var host = await StartAsync(schema, connection, o => o.Persistence.InitialRetryDelay = TimeSpan.FromMilliseconds(200));
        using var loadFailures = Collector(host, "agentmemory.agents.load_failures");

        await using var blocker = await schema.DataSource.OpenConnectionAsync();
        var transaction = await blocker.BeginTransactionAsync();
        await Execute(blocker, $"LOCK TABLE \"{schema.Name}\".memories IN ACCESS EXCLUSIVE MODE", transaction);
        var load = host.Memory.LoadAgentAsync("big").AsTask();
        await Task.Delay(700); // the first attempt times out on the server after 400 ms
        await transaction.CommitAsync();

        Assert.That(await load.WaitAsync(TimeSpan.FromSeconds(30)), Is.EqualTo(Memories));
        var retry = host.Logs.GetSnapshot().First(l => l.Id.Name == "AgentLoadRetry");
        Assert.That(retry.Exception?.Message, Does.Contain("57014"), "the server's statement timeout (query_canceled)");
        Assert.That(loadFailures.GetMeasurementSnapshot().Sum(m => m.Value), Is.GreaterThan(0));
    }

    [Test]
    public async Task APoolExhaustedByOtherCodeDelaysWritesButLosesNothing()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var shared = new NpgsqlDataSourceBuilder(new NpgsqlConnectionStringBuilder(Connection(schema, Application())) { MaxPoolSize = 3, Timeout = 1 }.ConnectionString).Build();
        await using var _ = shared;
        await using var host = MemoryTestHost.Create(
            o =>
            {
                o.Persistence.InitialRetryDelay = TimeSpan.FromMilliseconds(50);
                o.Persistence.MaxRetryDelay = TimeSpan.FromMilliseconds(500);
            },
            services: s =>
            {
                s.AddMetrics();
                s.AddSingleton(shared);
                s.AddAgentMemory().UsePostgres(o => o.Schema = schema.Name);
            });
        await host.StartAsync();
        using var failures = Collector(host, "agentmemory.persistence.failures");
        // An agent at work: loaded before the pool is taken (loading a new agent needs a connection, and fails after its retries while none is free).
        await host.Memory.RememberAsync("pool-agent", "the agent was working before the pool was taken");
        await host.Memory.FlushAsync();

        // The host's other code takes every connection of the shared pool for three seconds (one of the three is held
        // by the memory system's change-feed listener).
        var held = new List<NpgsqlConnection>();
        for (var i = 0; i < 2; i++)
        {
            held.Add(await shared.OpenConnectionAsync());
        }

        var ids = new List<Guid>();
        for (var i = 0; i < 500; i++)
        {
            ids.Add((await host.Memory.RememberAsync("pool-agent", $"memory {i} while the pool is taken")).Id);
        }

        await Task.Delay(TimeSpan.FromSeconds(3));
        foreach (var connection in held)
        {
            await connection.DisposeAsync();
        }

        await host.Memory.FlushAsync();
        Assert.That(await schema.ScalarAsync<long>("SELECT count(*) FROM @schema.memories WHERE agent_id = 'pool-agent'"), Is.EqualTo(ids.Count + 1));
        Assert.That(failures.GetMeasurementSnapshot().Sum(m => m.Value), Is.GreaterThan(0), "the exhausted pool is counted as failures");
        Assert.That(host.Logs.GetSnapshot().Any(l => l.Id.Name == "StoreUnavailable"), Is.True, "and logged");
    }

    private static string Application() => "agentmemory-fault-" + Guid.NewGuid().ToString("N")[..8];

    private static string Connection(PostgresTestSchema schema, string application) =>
        new NpgsqlConnectionStringBuilder(schema.ConnectionString) { ApplicationName = application }.ConnectionString;

    private static async Task<MemoryTestHost> StartAsync(PostgresTestSchema schema, string connectionString, Action<AgentMemoryOptions>? configure = null)
    {
        var host = MemoryTestHost.Create(
            o =>
            {
                o.Persistence.MaxRetryDelay = TimeSpan.FromMilliseconds(300);
                configure?.Invoke(o);
            },
            services: s =>
            {
                s.AddMetrics();
                s.AddAgentMemory().UsePostgres(connectionString, o => o.Schema = schema.Name);
            });
        await host.StartAsync();
        return host;
    }

    private static MetricCollector<long> Collector(MemoryTestHost host, string instrument) =>
        new(host.Services.GetRequiredService<IMeterFactory>(), "AgentMemory", instrument);

    private static async Task SeedAsync(PostgresTestSchema schema, int count)
    {
        await using var host = await PostgresHost.StartAsync(schema);
        for (var start = 0; start < count; start += 1000)
        {
            await host.Memory.RememberManyAsync("big", Enumerable.Range(start, Math.Min(1000, count - start)).Select(i => MemoryDraft.FromString($"seeded memory {i}")));
        }

        await host.Memory.FlushAsync();
        await host.StopAsync();
    }

    private static async Task<long> TerminateAsync(PostgresTestSchema schema, string application, bool waitingOnLock = false) =>
        await ScalarAsync(schema, $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = '{application}'{(waitingOnLock ? " AND wait_event_type = 'Lock'" : string.Empty)}");

    private static async Task<long> ScalarAsync(PostgresTestSchema schema, string sql)
    {
        await using var command = schema.DataSource.CreateCommand(sql);
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task Execute(NpgsqlConnection connection, string sql, NpgsqlTransaction transaction)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync();
    }
}
