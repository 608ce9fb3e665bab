using AgentMemory.PostgreSql.Storage;
using Npgsql;
using NUnit.Framework;

namespace AgentMemory.PostgreSql.Tests.Reliability;

/// <summary>
/// Which failures the write-behind worker retries (keeping the batch) and which it isolates as refused rows: a row is
/// only ever given up for the server refusing its data, never for a connection that died.
/// </summary>
public sealed class PostgresErrorsTests
{
    private static PostgresException Server(string sqlState) => new("test", "ERROR", "ERROR", sqlState);

    [TestCase("22001", false, Description = "string too long for its column")]
    [TestCase("23505", false, Description = "unique violation")]
    [TestCase("23514", false, Description = "check violation")]
    [TestCase("54000", false, Description = "program limit exceeded")]
    [TestCase("57P01", true, Description = "terminated by an administrator")]
    [TestCase("57014", true, Description = "statement timeout")]
    [TestCase("40001", true, Description = "serialization failure")]
    [TestCase("42P01", true, Description = "table missing (schema not there yet)")]
    public void AServerErrorIsARefusalOnlyForTheDataItself(string sqlState, bool transient)
    {
        Assert.That(PostgresErrors.IsTransient(Server(sqlState)), Is.EqualTo(transient));
        Assert.That(PostgresErrors.IsRefusal(Server(sqlState)), Is.EqualTo(!transient));
    }

    [Test]
    public void ATransactionFoundDisposedBecauseItsConnectionDiedIsRetried()
    {
        // What Npgsql throws when rolling back to a savepoint after the server terminated the connection.
        var disposed = new ObjectDisposedException("NpgsqlTransaction", Server("57P01"));
        Assert.That(PostgresErrors.IsTransient(disposed), Is.True);
        Assert.That(PostgresErrors.Wrap("write a batch", disposed).IsTransient, Is.True);
    }

    [Test]
    public void AnErrorOfAnotherKindFollowsItsCause()
    {
        Assert.That(PostgresErrors.IsTransient(new InvalidOperationException("wrapped", new TimeoutException())), Is.True);
        Assert.That(PostgresErrors.IsTransient(new InvalidOperationException("wrapped", Server("23505"))), Is.False);
        Assert.That(PostgresErrors.IsTransient(new InvalidCastException("cannot write this value")), Is.False, "a value no retry can write is isolated");
    }
}
