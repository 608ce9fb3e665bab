using System.Text.Json;
using Npgsql;

namespace AgentMemory.PostgreSql.Storage;

/// <summary>Reads one memory from a row in <see cref="MemoryColumns.List"/> order (sequential access).</summary>
internal static class MemoryRowReader
{
    public static MemoryEntry Read(NpgsqlDataReader reader)
    {
        var agentId = reader.GetString(0);
        var id = reader.GetGuid(1);
        var type = (MemoryType)reader.GetInt16(2);
        var content = reader.GetString(3);
        var metadataText = reader.GetString(4);
        var importance = (Importance)reader.GetInt16(5);
        var valence = reader.GetDouble(6);
        var tags = reader.GetFieldValue<string[]>(7);
        var created = Utc(reader.GetDateTime(8));
        var lastAccessed = Utc(reader.GetDateTime(9));
        var updated = Utc(reader.GetDateTime(10));
        var accessCount = reader.GetInt64(11);
        var utility = reader.GetDouble(12);
        var sourceIds = reader.GetFieldValue<Guid[]>(13);
        var embedding = reader.IsDBNull(14) ? (ReadOnlyMemory<float>?)null : EmbeddingBytes.Decode(reader.GetFieldValue<byte[]>(14));
        var model = reader.IsDBNull(15) ? null : reader.GetString(15);
        DateTimeOffset? expires = reader.IsDBNull(16) ? null : Utc(reader.GetDateTime(16));
        var version = reader.GetInt64(17);

        JsonElement metadata;
        using (var document = JsonDocument.Parse(metadataText))
        {
            metadata = document.RootElement.Clone();
        }

        return new MemoryEntry
        {
            Id = id,
            AgentId = agentId,
            Type = type,
            Content = content,
            Metadata = metadata,
            Importance = importance,
            Valence = valence,
            Tags = tags,
            CreatedAt = created,
            LastAccessedAt = lastAccessed,
            UpdatedAt = updated,
            AccessCount = accessCount,
            Utility = utility,
            SourceIds = sourceIds,
            Embedding = embedding,
            EmbeddingModel = model,
            ExpiresAt = expires,
            Version = version,
        };
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
