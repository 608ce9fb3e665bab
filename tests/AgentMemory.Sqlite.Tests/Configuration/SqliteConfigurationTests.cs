using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using NUnit.Framework;

namespace AgentMemory.Sqlite.Tests.Configuration;

/// <summary>Bad configuration is refused where it is written or when the host starts, with a message that names it.</summary>
public sealed class SqliteConfigurationTests
{
    [TestCase("Data Source=:memory:", "needs a file")]
    [TestCase("Data Source=x.db;Mode=Memory", "needs a file")]
    [TestCase("Data Source=x.db;Bogus Key=1", "not valid")]
    public void AConnectionStringWithoutAFileIsRefusedAtOnce(string connectionString, string message)
    {
        var refused = Assert.Throws<ArgumentException>(() => new ServiceCollection().AddAgentMemory().UseSqlite(connectionString));
        Assert.That(refused!.Message, Does.Contain(message));
    }

    [Test]
    public void AnEmptyPathIsRefused() =>
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddAgentMemory().UseSqliteFile(" "));

    [Test]
    public void OptionsOutOfRangeFailNamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddAgentMemory().UseSqlite("Data Source=unused.db", o =>
        {
            o.BusyTimeout = TimeSpan.Zero;
            o.MaxFileSize = 1024;
        });
        using var provider = services.BuildServiceProvider();
        var refused = Assert.Throws<OptionsValidationException>(() => _ = provider.GetRequiredService<IOptions<SqliteMemoryStoreOptions>>().Value);
        Assert.That(refused!.Message, Does.Contain("SqliteMemoryStoreOptions.BusyTimeout").And.Contain("SqliteMemoryStoreOptions.MaxFileSize"));
    }
}
