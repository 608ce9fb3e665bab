using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.TestSupport;

/// <summary>Drops the run's database (and stops a Testcontainers server) once every test here has run.</summary>
[SetUpFixture]
public sealed class PostgresRunSetup
{
    [OneTimeTearDown]
    public Task DropRunDatabaseAsync() => PostgresServer.ReleaseAsync();
}
