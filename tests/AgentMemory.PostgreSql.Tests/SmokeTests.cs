using AgentMemory.PostgreSql.Tests.TestSupport;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests;

/// <summary>The harness reaches a real server.</summary>
public sealed class SmokeTests
{
    [Test]
    public async Task ConnectsAndRunsAQuery()
    {
        await using var schema = await PostgresTestSchema.CreateAsync();
        var version = await schema.ScalarAsync<string>("SELECT current_setting('server_version_num')");
        var database = await schema.ScalarAsync<string>("SELECT current_database()");
        Assert.Multiple(() =>
        {
            Assert.That(int.Parse(version!, System.Globalization.CultureInfo.InvariantCulture), Is.GreaterThanOrEqualTo(130000));
            Assert.That(database, Is.EqualTo(schema.Server.Database));
        });
    }
}
