using System.Net.Sockets;
using Npgsql;

namespace AgentMemory.PostgreSql.Storage;

/// <summary>
/// Tells a refused row from a server that is away. Data exceptions (SQLSTATE class 22), integrity violations (23)
/// and program limits (54) mean the database will never take this data: the write-behind worker isolates the row.
/// Everything else — connection failures, timeouts, shutdowns, missing objects — is retried, keeping the batch.
/// </summary>
internal static class PostgresErrors
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException pg => !(pg.SqlState.StartsWith("22", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("23", StringComparison.Ordinal)
            || pg.SqlState.StartsWith("54", StringComparison.Ordinal)),
        NpgsqlException or TimeoutException or IOException or SocketException => true,
        OperationCanceledException => true,
        _ => false,
    };

    public static MemoryStoreException Wrap(string operation, Exception exception)
    {
        var detail = exception is PostgresException pg
            ? $"{pg.SqlState} {pg.MessageText}{(pg.ConstraintName is { } c ? $" (constraint {c})" : string.Empty)}"
            : exception.Message;
        return new MemoryStoreException($"PostgreSQL could not {operation}: {detail}", IsTransient(exception), exception);
    }
}
