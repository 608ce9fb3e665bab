using System.Text.Json;
using Npgsql;

namespace AgentMemory.PostgreSql.Storage;

/// <summary>
/// Reads memories from rows in <see cref="MemoryColumns.List"/> order (sequential access). One reader per result: it
/// reuses the agent id string when the row's equals the one loaded, and reads each embedding through one reused byte
/// buffer straight into the vector it keeps, so a load allocates what the memories keep and little else.
/// </summary>
internal sealed class MemoryRowReader(string? loadedAgentId = null)
{
    private byte[] _embedding = [];

    public MemoryEntry Read(NpgsqlDataReader reader)
    {
        var rowAgentId = reader.GetString(0);
        var agentId = string.Equals(rowAgentId, loadedAgentId, StringComparison.Ordinal) ? loadedAgentId! : rowAgentId;
        var id = reader.GetGuid(1);
        var type = (MemoryType)reader.GetInt16(2);
        var content = reader.GetString(3);
        JsonElement metadata;
        using (var document = reader.GetFieldValue<JsonDocument>(4))
        {
            metadata = document.RootElement.Clone();
        }

        var importance = (Importance)reader.GetInt16(5);
        var valence = reader.GetDouble(6);
        var tags = reader.GetFieldValue<string[]>(7);
        var created = Utc(reader.GetDateTime(8));
        var lastAccessed = Utc(reader.GetDateTime(9));
        var updated = Utc(reader.GetDateTime(10));
        var accessCount = reader.GetInt64(11);
        var utility = reader.GetDouble(12);
        var sourceIds = reader.GetFieldValue<Guid[]>(13);
        var embedding = reader.IsDBNull(14) ? (ReadOnlyMemory<float>?)null : ReadEmbedding(reader, 14);
        var model = reader.IsDBNull(15) ? null : reader.GetString(15);
        DateTimeOffset? expires = reader.IsDBNull(16) ? null : Utc(reader.GetDateTime(16));
        var version = reader.GetInt64(17);

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

    private float[] ReadEmbedding(NpgsqlDataReader reader, int ordinal)
    {
        var length = checked((int)reader.GetBytes(ordinal, 0, null, 0, 0));
        if (_embedding.Length < length)
        {
            _embedding = new byte[length];
        }

        var read = 0;
        while (read < length)
        {
            var chunk = (int)reader.GetBytes(ordinal, read, _embedding, read, length - read);
            if (chunk <= 0)
            {
                throw new InvalidDataException($"An embedding column ended after {read} of {length} bytes.");
            }

            read += chunk;
        }

        return EmbeddingBytes.Decode(_embedding.AsSpan(0, length));
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
