using AgentMemory.PostgreSql.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests;

/// <summary>The README's quick start, line for line (only the connection string and schema differ), against PostgreSQL.</summary>
public sealed class QuickStartTests
{
    [Test]
    public async Task TheReadmeQuickStartCompilesAndRuns()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var connectionString = schema.ConnectionString;
        var args = Array.Empty<string>();

        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddAgentMemory(m => m.UsePostgres(connectionString, o => o.Schema = schema.Name));
        using var host = builder.Build();
        await host.StartAsync();

        var memory = host.Services.GetRequiredService<IMemorySystem>().ForAgent("support-agent");
        await memory.RememberAsync(new MemoryDraft("Customer ACME prefers email") { Importance = Importance.High, Tags = ["acme"] });
        await using var turn = await memory.BeginTurnAsync("Reply to ACME's ticket about invoices");
        Console.WriteLine(turn.PromptSection);
        await turn.CompleteAsync("Answered by email; customer satisfied", success: true);

        await host.StopAsync();
        Assert.That(turn.PromptSection, Does.StartWith("Relevant past experiences:").And.Contain("Customer ACME prefers email"));
        Assert.That(await schema.ScalarAsync<long>("SELECT count(*) FROM @schema.memories WHERE agent_id = 'support-agent'"), Is.EqualTo(2));
        Assert.That(await schema.ScalarAsync<double>("SELECT utility FROM @schema.memories WHERE content = 'Customer ACME prefers email'"), Is.GreaterThan(0));
    }
}
