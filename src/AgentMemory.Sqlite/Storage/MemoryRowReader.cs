using System.Text;
using System.Text.Json;
using AgentMemory.Shared;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace AgentMemory.Sqlite.Storage;

/// <summary>
/// Reads memories from rows whose first columns are <see cref="MemoryRows.Columns"/>, from a Microsoft.Data.Sqlite
/// reader or, for loading an agent, straight from a SQLite statement (<see cref="Read(sqlite3_stmt)"/>). One reader per
/// query: it reuses the loaded agent's id string and what <see cref="LoadedRows"/> shares.
/// </summary>
internal sealed class MemoryRowReader(string? loadedAgentId = null)
{
    /// <summary>The metadata of every row that has none: one shared empty object.</summary>
    private static readonly JsonElement EmptyMetadata = JsonDocument.Parse("{}").RootElement.Clone();

    private readonly LoadedRows _shared = new();

    public MemoryEntry Read(SqliteDataReader reader) => Read(new ReaderRow(reader));

    /// <summary>
    /// Reads the statement's current row. Loading an agent reads this way: text and blobs come as spans over SQLite's
    /// own row (Microsoft.Data.Sqlite copies every blob into a new array, and its <c>GetBytes</c> opens an incremental
    /// blob handle per call), so an embedding is decoded straight into the shared array.
    /// </summary>
    public MemoryEntry Read(sqlite3_stmt statement) => Read(new StatementRow(statement));

    private MemoryEntry Read<TRow>(TRow row)
        where TRow : struct, IRow
    {
        var metadata = row.Blob(4) is [(byte)'{', (byte)'}'] ? EmptyMetadata : ParseObject(row.Blob(4));
        return new MemoryEntry
        {
            AgentId = loadedAgentId ?? row.Text(0),
            Id = SqliteValues.Id(row.Blob(1)),
            Type = (MemoryType)row.Integer(2),
            Content = row.Text(3),
            Metadata = metadata,
            Importance = (Importance)row.Integer(5),
            Valence = row.Real(6),
            Tags = _shared.Tags(SqliteValues.Tags(row.Blob(7))),
            CreatedAt = SqliteValues.Time(row.Integer(8)),
            LastAccessedAt = SqliteValues.Time(row.Integer(9)),
            UpdatedAt = SqliteValues.Time(row.Integer(10)),
            AccessCount = row.Integer(11),
            Utility = row.Real(12),
            SourceIds = row.IsNull(13) ? [] : SqliteValues.Ids(row.Blob(13)),
            Embedding = row.IsNull(14) ? (ReadOnlyMemory<float>?)null : _shared.Embedding(row.Blob(14)),
            EmbeddingModel = row.IsNull(15) ? null : _shared.Model(row.Text(15)),
            ExpiresAt = row.IsNull(16) ? null : SqliteValues.Time(row.Integer(16)),
            Version = row.Integer(17),
            Source = (MemorySource)row.Integer(18),
            Trusted = row.Integer(19) != 0,
        };
    }

    private static JsonElement ParseObject(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json);
        return JsonElement.ParseValue(ref reader);
    }

    /// <summary>One row's columns by ordinal; text and blobs as UTF-8 bytes valid until the next column is read.</summary>
    private interface IRow
    {
        string Text(int ordinal);

        ReadOnlySpan<byte> Blob(int ordinal);

        long Integer(int ordinal);

        double Real(int ordinal);

        bool IsNull(int ordinal);
    }

    private readonly struct ReaderRow(SqliteDataReader reader) : IRow
    {
        public string Text(int ordinal) => reader.GetString(ordinal);

        public ReadOnlySpan<byte> Blob(int ordinal) => reader.GetFieldType(ordinal) == typeof(string)
            ? Encoding.UTF8.GetBytes(reader.GetString(ordinal))
            : (byte[])reader.GetValue(ordinal);

        public long Integer(int ordinal) => reader.GetInt64(ordinal);

        public double Real(int ordinal) => reader.GetDouble(ordinal);

        public bool IsNull(int ordinal) => reader.IsDBNull(ordinal);
    }

    private readonly struct StatementRow(sqlite3_stmt statement) : IRow
    {
        public string Text(int ordinal) => Encoding.UTF8.GetString(raw.sqlite3_column_blob(statement, ordinal));

        public ReadOnlySpan<byte> Blob(int ordinal) => raw.sqlite3_column_blob(statement, ordinal);

        public long Integer(int ordinal) => raw.sqlite3_column_int64(statement, ordinal);

        public double Real(int ordinal) => raw.sqlite3_column_double(statement, ordinal);

        public bool IsNull(int ordinal) => raw.sqlite3_column_type(statement, ordinal) == raw.SQLITE_NULL;
    }
}
