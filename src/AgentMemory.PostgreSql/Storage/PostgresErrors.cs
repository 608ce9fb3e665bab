using System.Net.Sockets;
using Npgsql;

namespace AgentMemory.PostgreSql.Storage;

/// <summary>
/// Tells a refused row from a server that is away. Data exceptions (SQLSTATE class 22), integrity violations (23)
/// and program limits (54) mean the database will never take this data: the write-behind worker isolates the row.
/// Connection failures, timeouts, shutdowns, missing objects, and a connection or transaction found disposed because
/// its connection died, are retried, keeping the batch. An error of another kind is retried when what caused it was.
/// </summary>
internal static class PostgresErrors
{
    public static bool IsTransient(Exception exception) => exception switch
    {
        PostgresException pg => !IsRefusal(pg),
        NpgsqlException or TimeoutException or IOException or SocketException => true,
        OperationCanceledException or ObjectDisposedException => true,
        { InnerException: { } inner } => IsTransient(inner),
        _ => false,
    };

    /// <summary>Whether the server refused the data itself (SQLSTATE class 22, 23 or 54), which no retry changes.</summary>
    public static bool IsRefusal(PostgresException exception) =>
        exception.SqlState.StartsWith("22", StringComparison.Ordinal)
        || exception.SqlState.StartsWith("23", StringComparison.Ordinal)
        || exception.SqlState.StartsWith("54", StringComparison.Ordinal);

    public static MemoryStoreException Wrap(string operation, Exception exception)
    {
        var detail = exception is PostgresException pg
            ? $"{pg.SqlState} {pg.MessageText}{(pg.ConstraintName is { } c ? $" (constraint {c})" : string.Empty)}"
            : exception.Message;
        return new MemoryStoreException($"PostgreSQL could not {operation}: {detail}", IsTransient(exception), exception);
    }
}
