using AgentMemory.PostgreSql.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Schema;

/// <summary>Bad configuration gets a clear error; the hand-migration script does what the README says.</summary>
public sealed class PostgresConfigurationTests
{
    [TestCase("")]
    [TestCase("   ")]
    public void AnEmptyConnectionStringIsRefused(string connectionString)
    {
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddAgentMemory().UsePostgres(connectionString));
        Assert.That(error!.ParamName, Is.EqualTo("connectionString"));
    }

    [Test]
    public void AMalformedConnectionStringIsRefusedAndNamed()
    {
        var error = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddAgentMemory().UsePostgres("Host=127.0.0.1;Bogus Keyword=1"));
        Assert.That(error!.ParamName, Is.EqualTo("connectionString"));
        Assert.That(error.Message, Does.Contain("connection string is not valid"));
    }

    [TestCase("Agent-Memory")]
    [TestCase("x; DROP SCHEMA public")]
    [TestCase("")]
    public void ABadSchemaNameFailsTheHostAtStart(string schema)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAgentMemory().UsePostgres("Host=127.0.0.1", o => o.Schema = schema);
        using var host = builder.Build();

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.That(error!.Message, Does.Contain("PostgresMemoryStoreOptions.Schema"));
    }

    [Test]
    public void BadBatchSizeAndTimeoutFailTheHostAtStart()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddAgentMemory().UsePostgres("Host=127.0.0.1", o =>
        {
            o.BatchSize = 0;
            o.CommandTimeout = TimeSpan.Zero;
        });
        using var host = builder.Build();

        var error = Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.That(error!.Message, Does.Contain("BatchSize").And.Contain("CommandTimeout"));
    }

    [Test]
    public void UsePostgresWithoutArgumentsNeedsARegisteredDataSource()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddAgentMemory().UsePostgres();
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IMemoryStore>());
        Assert.That(error!.Message, Does.Contain("NpgsqlDataSource"));
    }

    [Test]
    public void TheMigrationScriptRefusesABadSchemaName()
    {
        var error = Assert.Throws<ArgumentException>(() => PostgresSchema.GetMigrationScript("x\"; DROP TABLE y; --"));
        Assert.That(error!.Message, Does.Contain("schema name"));
    }

    [Test]
    public async Task TheHandMigrationScriptCreatesTheSchemaOnceAndAHostWithoutAutoMigrateUsesIt()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var script = PostgresSchema.GetMigrationScript(schema.Name);
        await schema.ExecuteAsync(script);
        await schema.ExecuteAsync(script);
        Assert.That(await schema.ScalarAsync<long>("SELECT count(*) FROM @schema.schema_migrations"), Is.EqualTo(PostgresSchema.LatestVersion));

        await using var host = await PostgresHost.StartAsync(schema, postgres: o => o.AutoMigrate = false);
        await host.Memory.RememberAsync("a1", "stored in a hand-migrated schema");
        await host.Memory.FlushAsync();
        Assert.That(await schema.ScalarAsync<long>("SELECT count(*) FROM @schema.memories"), Is.EqualTo(1));
        Assert.That(host.Logs.GetSnapshot().Any(l => l.Id.Name == "MigrationApplied"), Is.False);
    }

    [Test]
    public async Task ASchemaAtVersion1IsUpgradedWithItsMemoriesKept()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var script = PostgresSchema.GetMigrationScript(schema.Name);
        var upToVersion1 = script[..script.IndexOf("-- Migration 2:", StringComparison.Ordinal)] + "COMMIT;";
        await schema.ExecuteAsync(upToVersion1);
        await schema.ExecuteAsync(
            "INSERT INTO @schema.agents (agent_id, created_at) VALUES ('Agent-Ä', now());" +
            "INSERT INTO @schema.memories (agent_id, id, type, content, importance, created_at, last_accessed_at, updated_at, version) " +
            "VALUES ('Agent-Ä', '0193a5f0-0000-7000-8000-000000000001', 1, 'written before the upgrade', 2, now(), now(), now(), 1)");

        await using var host = await PostgresHost.StartAsync(schema);
        var before = await host.Memory.ListAsync("Agent-Ä");
        await host.Memory.RememberAsync("Agent-Ä", "written after the upgrade");
        await host.Memory.RememberAsync("agent-ä", "another agent, whose id differs only in case");
        await host.Memory.FlushAsync();

        var version = await schema.ScalarAsync<long>("SELECT max(version) FROM @schema.schema_migrations");
        var upgradedAgent = await schema.ScalarAsync<long>("SELECT count(*) FROM @schema.memories WHERE agent_id = 'Agent-Ä'");
        var otherAgent = await schema.ScalarAsync<long>("SELECT count(*) FROM @schema.memories WHERE agent_id = 'agent-ä'");
        var collations = await schema.ScalarAsync<string>(
            $"SELECT string_agg(DISTINCT collation_name, ',') FROM information_schema.columns WHERE table_schema = '{schema.Name}' AND column_name = 'agent_id'");
        Assert.Multiple(() =>
        {
            Assert.That(before.Items.Select(m => m.Content), Is.EqualTo(new[] { "written before the upgrade" }));
            Assert.That(version, Is.EqualTo(PostgresSchema.LatestVersion));
            Assert.That(PostgresSchema.LatestVersion, Is.EqualTo(5));
            Assert.That((before.Items.Single().Source, before.Items.Single().Trusted), Is.EqualTo((MemorySource.Api, true)), "an older memory came through the API");
            Assert.That(upgradedAgent, Is.EqualTo(2));
            Assert.That(otherAgent, Is.EqualTo(1));
            Assert.That(collations, Is.EqualTo("C"), "agent ids compare byte by byte in both tables");
        });
    }

    [Test]
    public async Task WithoutAutoMigrateAMissingSchemaIsReportedClearly()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        await using var host = PostgresHost.Create(schema, postgres: o => o.AutoMigrate = false);

        var error = Assert.ThrowsAsync<MemoryStoreException>(async () => await host.Memory.RememberAsync("a1", "no schema yet"));
        Assert.That(error!.Message, Does.Contain("does not exist").And.Contain("GetMigrationScript"));
    }
}
