using Microsoft.Data.Sqlite;

namespace AgentMemory.Sqlite.Storage;

/// <summary>
/// One SQL statement run many times in a transaction with new values: its parameters are created once, and SQLite
/// prepares it once (Microsoft.Data.Sqlite keeps the prepared statement with the command).
/// </summary>
internal sealed class Statement : IDisposable
{
    private readonly SqliteCommand _command;

    public Statement(SqliteConnection connection, SqliteTransaction transaction, string sql, params string[] parameters)
    {
        _command = connection.CreateCommand();
        _command.Transaction = transaction;
        _command.CommandText = sql;
        foreach (var name in parameters)
        {
            _command.Parameters.Add(new SqliteParameter { ParameterName = name });
        }
    }

    /// <summary>Runs the statement with these values (in the order the parameters were named); returns the rows changed.</summary>
    public int Run(params object?[] values)
    {
        Set(values);
        return _command.ExecuteNonQuery();
    }

    /// <summary>Runs the statement with these values and reads its rows.</summary>
    public SqliteDataReader Read(params object?[] values)
    {
        Set(values);
        return _command.ExecuteReader();
    }

    public void Dispose() => _command.Dispose();

    private void Set(object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            _command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
    }
}
