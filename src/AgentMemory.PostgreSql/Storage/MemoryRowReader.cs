using System.Text.Json;
using AgentMemory.Shared;
using Npgsql;

namespace AgentMemory.PostgreSql.Storage;

/// <summary>
/// Reads memories from rows in <see cref="MemoryColumns.List"/> order (sequential access). One reader per result: it
/// reuses the agent id string when the row's equals the one loaded, one string per distinct tag and embedding model
/// (rows repeat them), one empty array for rows without source ids and one empty object for rows without metadata,
/// and reads each embedding through one reused byte buffer into its part of an array shared by the next 64 or so
/// embeddings read, so the memories of a load share what they can: fewer objects for the collector to trace and copy
/// for every memory loaded. (An array of embeddings lives as long as any memory that uses it.)
/// </summary>
internal sealed class MemoryRowReader(string? loadedAgentId = null)
{
    /// <summary>The metadata of every row that has none: one shared empty object.</summary>
    private static readonly JsonElement EmptyMetadata = JsonDocument.Parse("{}").RootElement.Clone();

    private readonly LoadedRows _shared = new();
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
            metadata = document.RootElement is { ValueKind: JsonValueKind.Object } root && root.GetPropertyCount() == 0 ? EmptyMetadata : document.RootElement.Clone();
        }

        var importance = (Importance)reader.GetInt16(5);
        var valence = reader.GetDouble(6);
        var tags = _shared.Tags(reader.GetFieldValue<string[]>(7));
        var created = Utc(reader.GetDateTime(8));
        var lastAccessed = Utc(reader.GetDateTime(9));
        var updated = Utc(reader.GetDateTime(10));
        var accessCount = reader.GetInt64(11);
        var utility = reader.GetDouble(12);
        var sourceIds = reader.GetFieldValue<Guid[]>(13) is { Length: > 0 } sources ? sources : [];
        var embedding = reader.IsDBNull(14) ? (ReadOnlyMemory<float>?)null : ReadEmbedding(reader, 14);
        var model = reader.IsDBNull(15) ? null : _shared.Model(reader.GetString(15));
        DateTimeOffset? expires = reader.IsDBNull(16) ? null : Utc(reader.GetDateTime(16));
        var version = reader.GetInt64(17);
        var source = (MemorySource)reader.GetInt16(18);
        var trusted = reader.GetBoolean(19);

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
            Source = source,
            Trusted = trusted,
        };
    }

    private ReadOnlyMemory<float> ReadEmbedding(NpgsqlDataReader reader, int ordinal)
    {
        var length = checked((int)reader.GetBytes(ordinal, 0, null, 0, 0));
        if (_embedding.Length < length)
        {
            _embedding = new byte[Math.Max(length, _embedding.Length * 2)];
        }

        var bytes = _embedding.AsSpan(0, length);
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

        return _shared.Embedding(bytes);
    }

    private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));
}
