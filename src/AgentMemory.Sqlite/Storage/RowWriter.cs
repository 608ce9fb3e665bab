using Microsoft.Data.Sqlite;

namespace AgentMemory.Sqlite.Storage;

/// <summary>
/// The memory rows of one change set: inserts a new memory, reads a stored one with its bookkeeping, writes back a
/// merge. Each statement is prepared once for the transaction.
/// </summary>
internal sealed class RowWriter(SqliteConnection connection, SqliteTransaction transaction, byte[] writer, long seq) : IDisposable
{
    private MemoryRows.Insert? _insert;
    private MemoryRows.Insert? _overwrite;
    private Statement? _stored;
    private Statement? _deleted;
    private readonly MemoryRowReader _rows = new();

    /// <summary>Inserts the memory unless the file holds it; returns whether it was inserted.</summary>
    public bool TryInsert(MemoryEntry entry)
    {
        _insert ??= MemoryRows.Prepare(connection, overwrite: false);
        return _insert.Run(entry, writer, seq, merged: false);
    }

    /// <summary>The memory as stored, with who wrote it last and whether several writers ever did; <see langword="null"/> when not stored.</summary>
    public StoredRow? Stored(string agentId, Guid id)
    {
        _stored ??= new Statement(connection, transaction, $"SELECT {MemoryRows.Columns}, writer, merged FROM memories WHERE agent_id = $agent AND id = $id", "$agent", "$id");
        using var reader = _stored.Read(agentId, SqliteValues.Id(id));
        return reader.Read()
            ? new StoredRow(_rows.Read(reader), ((byte[])reader.GetValue(MemoryRows.Count)).AsSpan().SequenceEqual(writer), reader.GetBoolean(MemoryRows.Count + 1))
            : null;
    }

    /// <summary>Writes the merged memory over the stored row, marking it merged when another writer wrote it before.</summary>
    public void Overwrite(MemoryEntry merged, StoredRow stored)
    {
        _overwrite ??= MemoryRows.Prepare(connection, overwrite: true);
        _overwrite.Run(merged, writer, seq, merged: stored.Merged || !stored.OwnWrite);
    }

    /// <summary>Whether the memory was deleted (its tombstone is kept).</summary>
    public bool Deleted(string agentId, Guid id)
    {
        _deleted ??= new Statement(connection, transaction, "SELECT 1 FROM tombstones WHERE agent_id = $agent AND memory_id = $id", "$agent", "$id");
        using var reader = _deleted.Read(agentId, SqliteValues.Id(id));
        return reader.Read();
    }

    public void Dispose()
    {
        _insert?.Dispose();
        _overwrite?.Dispose();
        _stored?.Dispose();
        _deleted?.Dispose();
    }
}

/// <summary>A stored memory, whether this writer wrote it last, and whether several writers ever wrote it.</summary>
internal sealed record StoredRow(MemoryEntry Entry, bool OwnWrite, bool Merged);
