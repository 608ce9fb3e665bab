using System.Text.Json;
using AgentMemory.Shared;
using Microsoft.Data.Sqlite;

namespace AgentMemory.Sqlite.Storage;

/// <summary>
/// Reads memories from rows whose first columns are <see cref="MemoryRows.Columns"/>. One reader per query: it reuses
/// the loaded agent's id string and what <see cref="LoadedRows"/> shares.
/// </summary>
internal sealed class MemoryRowReader(string? loadedAgentId = null)
{
    /// <summary>The metadata of every row that has none: one shared empty object.</summary>
    private static readonly JsonElement EmptyMetadata = JsonDocument.Parse("{}").RootElement.Clone();

    private readonly LoadedRows _shared = new();

    public MemoryEntry Read(SqliteDataReader reader)
    {
        var metadataText = reader.GetString(4);
        JsonElement metadata;
        if (metadataText is "{}")
        {
            metadata = EmptyMetadata;
        }
        else
        {
            using var document = JsonDocument.Parse(metadataText);
            metadata = document.RootElement.Clone();
        }

        return new MemoryEntry
        {
            AgentId = loadedAgentId ?? reader.GetString(0),
            Id = SqliteValues.Id(Bytes(reader, 1)),
            Type = (MemoryType)reader.GetInt32(2),
            Content = reader.GetString(3),
            Metadata = metadata,
            Importance = (Importance)reader.GetInt32(5),
            Valence = reader.GetDouble(6),
            Tags = _shared.Tags(SqliteValues.Tags(reader.GetString(7))),
            CreatedAt = SqliteValues.Time(reader.GetInt64(8)),
            LastAccessedAt = SqliteValues.Time(reader.GetInt64(9)),
            UpdatedAt = SqliteValues.Time(reader.GetInt64(10)),
            AccessCount = reader.GetInt64(11),
            Utility = reader.GetDouble(12),
            SourceIds = reader.IsDBNull(13) ? [] : SqliteValues.Ids(Bytes(reader, 13)),
            Embedding = reader.IsDBNull(14) ? (ReadOnlyMemory<float>?)null : _shared.Embedding(Bytes(reader, 14)),
            EmbeddingModel = reader.IsDBNull(15) ? null : _shared.Model(reader.GetString(15)),
            ExpiresAt = reader.IsDBNull(16) ? null : SqliteValues.Time(reader.GetInt64(16)),
            Version = reader.GetInt64(17),
            Source = (MemorySource)reader.GetInt32(18),
            Trusted = reader.GetBoolean(19),
        };
    }

    /// <summary>
    /// A blob column's bytes. Read whole (<c>GetValue</c>: one copy out of SQLite's row): Microsoft.Data.Sqlite's
    /// <c>GetBytes</c> opens an incremental blob handle per call, several times slower for a row's embedding.
    /// </summary>
    private static byte[] Bytes(SqliteDataReader reader, int ordinal) => (byte[])reader.GetValue(ordinal);
}
